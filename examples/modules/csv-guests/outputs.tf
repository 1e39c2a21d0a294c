output "object_ids" {
  description = "The object ID of each guest, keyed by lower-cased email address."
  value       = { for key, g in b2b_guest_user.this : key => g.id }

  # The CSV's mistakes fail the plan here, naming the rows or columns, so
  # that nobody is invited from a file Terraform half understood. (A
  # variable validation would print the whole file back in the error.)
  precondition {
    condition     = length(local.no_address) == 0
    error_message = "The CSV has rows with no address in the email column (counting the first row after the header as 1): ${join(", ", local.no_address)}. If every row is listed, check that the header names an \"email\" column. The plan fails until each of these rows has an address or is deleted."
  }
  precondition {
    condition     = length(local.unknown_columns) == 0
    error_message = "The CSV's header names columns this module does not read: ${join(", ", local.unknown_columns)}. A misspelt column would be ignored, leaving that property unmanaged for every row, so the plan fails until the header is fixed. Known columns (lower case): ${join(", ", local.known_columns)}."
  }
  precondition {
    condition     = length(local.guests) > 0 || var.allow_empty
    error_message = "The CSV lists no guest (a header alone, or only empty rows), so this plan would delete every guest the module manages. If the file is an incomplete export, fix it; to remove every guest on purpose, set allow_empty = true."
  }
  precondition {
    condition     = length(local.unknown_groups) == 0
    error_message = "The CSV's groups column names groups that are neither a short name in var.groups nor a group object ID: ${join("; ", local.unknown_groups)}. Known short names: ${length(var.groups) == 0 ? "none (var.groups is empty)" : join(", ", sort(keys(var.groups)))}. Correct the name, or add it to the module's groups map."
  }
  precondition {
    condition     = length(local.duplicates) == 0
    error_message = "The CSV has more than one row for: ${join(", ", local.duplicates)} (addresses are compared ignoring case and surrounding spaces). Keep one row per guest: each address is one guest, invited once."
  }
}

output "pending" {
  description = "The addresses whose invitation has not been accepted yet."
  value       = sort([for key, g in b2b_guest_user.this : key if g.invitation_state == "PendingAcceptance"])
}
