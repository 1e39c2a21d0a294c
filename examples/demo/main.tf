# The configuration `make demo` applies against the bundled Graph emulator.
# It reads like a real one: only the credentials differ, and those come from
# the environment (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET, plus
# B2B_GRAPH_ENDPOINT and B2B_AUTHORITY_HOST pointing at the emulator), so the
# same file works against a real tenant with those variables changed.

terraform {
  required_version = ">= 1.5.7"

  required_providers {
    b2b = {
      source = "entra-b2b/b2b"
    }
  }
}

provider "b2b" {
  # Every guest below lands here after redeeming its invitation unless it
  # says otherwise.
  default_redirect_url = "https://myapps.microsoft.com"

  # Only guests that opt in get an email.
  default_send_invitation_message = false
}

# Partner Ltd may collaborate, and its MFA is trusted: its guests are not
# asked for a second factor again. Written by domain: b2b_tenant finds the
# tenant ID (make demo registers partner.example in the emulator).
data "b2b_tenant" "partner" {
  domain_name = "partner.example"
}

resource "b2b_cross_tenant_access_partner" "partner" {
  tenant_id = data.b2b_tenant.partner.tenant_id

  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "allowed"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = "allowed"
      targets     = [{ target = "AllApplications", target_type = "application" }]
    }
  }

  inbound_trust = {
    mfa_accepted                  = true
    compliant_device_accepted     = false
    hybrid_joined_device_accepted = false
  }
}

# Rival Corp is blocked: none of its users may collaborate with us. A
# b2b_guest_user at rival.example now fails the plan (make demo shows it).
data "b2b_tenant" "rival" {
  domain_name = "rival.example"
}

resource "b2b_cross_tenant_access_partner" "rival" {
  tenant_id = data.b2b_tenant.rival.tenant_id

  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "blocked"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = "blocked"
      targets     = [{ target = "AllApplications", target_type = "application" }]
    }
  }
}

# A partner's buyer, invited with a personal message and her manager in copy.
resource "b2b_guest_user" "alice" {
  email        = "alice.martin@partner.example"
  display_name = "Alice Martin"
  given_name   = "Alice"
  surname      = "Martin"
  job_title    = "Buyer"
  department   = "Procurement"
  company_name = "Partner Ltd"

  send_invitation_message = true
  invitation_message {
    cc_recipient = "purchasing@contoso.example"
    body         = "Welcome to the Contoso supplier portal. Your orders and invoices are waiting for you."
  }

  # Invited once her organization's settings are in place.
  depends_on = [b2b_cross_tenant_access_partner.partner]
}

# A consultant who works like an employee: a Member, not a Guest.
resource "b2b_guest_user" "carol" {
  email          = "carol.diaz@consulting.example"
  display_name   = "Carol Diaz"
  user_type      = "Member"
  job_title      = "Project lead"
  company_name   = "Diaz Consulting"
  usage_location = "ES"
}

# The group that gives suppliers access to the portal, and the employee who
# answers for them, both already in the tenant (make demo creates them in the
# emulator and passes their object IDs as TF_VAR_...).
variable "suppliers_group_id" {
  description = "Object ID of the group the supplier contacts join."
  type        = string
}

variable "supplier_sponsor_id" {
  description = "Object ID of the user (or group) who sponsors the supplier contacts."
  type        = string
}

# Supplier contacts, the kind of list an ERP keeps: one resource per row.
locals {
  supplier_contacts = {
    "bob.chen@supplier.example" = {
      name       = "Bob Chen"
      job_title  = "Account manager"
      department = "Sales"
      company    = "Supplier GmbH"
      phone      = "+49 30 1234567"
      country    = "DE"
    }
    "dana.novak@logistics.example" = {
      name       = "Dana Novak"
      job_title  = "Dispatcher"
      department = "Operations"
      company    = "Novak Logistics"
      phone      = "+420 2 2345 6789"
      country    = "CZ"
    }
    "erik.larsen@fjord-parts.example" = {
      name       = "Erik Larsen"
      job_title  = "Quality engineer"
      department = "Quality"
      company    = "Fjord Parts AS"
      phone      = "+47 22 33 44 55"
      country    = "NO"
    }
  }
}

resource "b2b_guest_user" "supplier" {
  for_each = local.supplier_contacts

  email           = each.key
  display_name    = each.value.name
  job_title       = each.value.job_title
  department      = each.value.department
  company_name    = each.value.company
  business_phones = [each.value.phone]
  usage_location  = each.value.country

  # Only this group is managed: memberships in other groups are left alone.
  group_ids   = [var.suppliers_group_id]
  sponsor_ids = [var.supplier_sponsor_id]
}

output "guests" {
  description = "Object ID and invitation state of every guest, by email."
  value = {
    for g in concat([b2b_guest_user.alice, b2b_guest_user.carol], values(b2b_guest_user.supplier)) :
    g.email => {
      id               = g.id
      user_type        = g.user_type
      invitation_state = g.invitation_state
    }
  }
}

# The demo script drives its out-of-band changes through these.
output "alice_id" {
  value = b2b_guest_user.alice.id
}

output "bob_id" {
  value = b2b_guest_user.supplier["bob.chen@supplier.example"].id
}

output "dana_id" {
  value = b2b_guest_user.supplier["dana.novak@logistics.example"].id
}

output "erik_id" {
  value = b2b_guest_user.supplier["erik.larsen@fjord-parts.example"].id
}
