terraform {
  required_providers {
    b2b = {
      source = "entra-b2b/b2b"
    }
  }
}

locals {
  # Keyed by the lower-cased address, so rows can be reordered and an
  # address's case changed without Terraform seeing a different guest.
  rows = { for row in csvdecode(var.csv) : lower(trimspace(row.email)) => row }

  # An empty or missing cell becomes null: not managed, never cleared.
  columns = ["display_name", "company_name", "job_title", "department", "user_type"]
  guests = {
    for key, row in local.rows : key => merge(
      { email = trimspace(row.email) },
      { for c in local.columns : c => try(trimspace(row[c]), "") != "" ? trimspace(row[c]) : null },
      {
        # "partners;buyers": names from var.groups, or object IDs as they are.
        group_ids = try(trimspace(row.groups), "") == "" ? null : [
          for g in split(";", trimspace(row.groups)) : lookup(var.groups, trimspace(g), trimspace(g)) if trimspace(g) != ""
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
