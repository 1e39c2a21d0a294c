terraform {
  required_providers {
    b2b = {
      source = "entra-b2b/b2b"
    }
  }
}

locals {
  # Excel's "CSV UTF-8" starts the file with a byte order mark, which would
  # otherwise become part of the first column's name ("\ufeffemail").
  # csvdecode already accepts CRLF line ends and skips blank lines. Column
  # names are compared in lower case, without surrounding spaces, so that
  # an "Email" heading from an export reads as "email".
  decoded = [
    for row in csvdecode(trimprefix(var.csv, "\ufeff")) : { for column, cell in row : lower(trimspace(column)) => cell }
  ]
  # A row of empty cells (",,,,," as spreadsheets write below the data)
  # describes nobody and is skipped; a row with other cells but no
  # address is a mistake that outputs.tf reports by its position.
  blank      = [for row in local.decoded : join("", [for cell in values(row) : trimspace(cell)]) == ""]
  no_address = [for i, row in local.decoded : i + 1 if !local.blank[i] && trimspace(try(row.email, "")) == ""]
  records    = [for i, row in local.decoded : row if !local.blank[i] && trimspace(try(row.email, "")) != ""]

  # The columns this module reads. A header that names another one is a
  # typo whose column would be silently ignored (that property unmanaged
  # for every row), so outputs.tf fails the plan on it.
  known_columns   = ["email", "display_name", "company_name", "job_title", "department", "user_type", "groups"]
  unknown_columns = sort(setsubtract(flatten([for row in local.decoded : keys(row)]), local.known_columns))

  # Keyed by the lower-cased address, so rows can be reordered and an
  # address's case changed without Terraform seeing a different guest.
  # Rows are grouped (...) so that a second row for an address reaches
  # the check in outputs.tf, which names it, instead of failing here with
  # Terraform's generic "Duplicate object key".
  grouped    = { for row in local.records : lower(trimspace(row.email)) => row... }
  duplicates = sort([for key, rows in local.grouped : key if length(rows) > 1])
  rows       = { for key, rows in local.grouped : key => rows[0] }

  # A groups cell names groups by their short name in var.groups or by
  # object ID. A name that is neither (a typo, or a group missing from the
  # map) is left out of group_ids and reported by outputs.tf, naming the
  # row and the map, instead of failing as "not a GUID".
  guid_pattern = "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"
  group_names = {
    for key, row in local.rows : key => [
      for g in split(";", try(trimspace(row.groups), "")) : trimspace(g) if trimspace(g) != ""
    ]
  }
  unknown_groups = sort(flatten([
    for key, names in local.group_names : [
      for g in names : "${key}: ${g}" if !contains(keys(var.groups), g) && !can(regex(local.guid_pattern, g))
    ]
  ]))

  # An empty or missing cell becomes null: not managed, never cleared.
  columns = ["display_name", "company_name", "job_title", "department", "user_type"]
  guests = {
    for key, row in local.rows : key => merge(
      { email = trimspace(row.email) },
      { for c in local.columns : c => try(trimspace(row[c]), "") != "" ? trimspace(row[c]) : null },
      {
        # "partners;buyers": names from var.groups, or object IDs as they are.
        group_ids = try(trimspace(row.groups), "") == "" ? null : [
          for g in local.group_names[key] : lookup(var.groups, g, g) if contains(keys(var.groups), g) || can(regex(local.guid_pattern, g))
        ]
      },
    )
  }
}

resource "b2b_guest_user" "this" {
  for_each = local.guests

  email                   = each.value.email
  display_name            = each.value.display_name
  company_name            = each.value.company_name
  job_title               = each.value.job_title
  department              = each.value.department
  user_type               = coalesce(each.value.user_type, "Guest")
  redirect_url            = var.redirect_url
  send_invitation_message = var.send_invitation_message
  adopt_existing          = var.adopt_existing
  group_ids               = each.value.group_ids
  sponsor_ids             = var.sponsor_ids
}
