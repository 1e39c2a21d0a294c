resource "b2b_guest_user" "alice" {
  email        = "alice@partner.example"
  redirect_url = "https://myapps.microsoft.com"
}

# Re-send the invitation on demand:
#   terraform apply -invoke=action.b2b_resend_invitation.alice
action "b2b_resend_invitation" "alice" {
  config {
    object_id    = b2b_guest_user.alice.id
    redirect_url = "https://myapps.microsoft.com"
    invitation_message {
      body = "Your previous invitation expired; here is a new one."
    }
  }
}

# Or on a lifecycle event: re-send each time the reminder round changes
# (after_update only, so the first apply does not re-send the invitation
# b2b_guest_user.alice has just sent).
resource "terraform_data" "reminder_round" {
  input = "2025-06"

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.b2b_resend_invitation.alice]
    }
  }
}
