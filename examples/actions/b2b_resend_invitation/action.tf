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
