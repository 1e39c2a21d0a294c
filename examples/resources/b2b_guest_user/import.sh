# Import by object ID
terraform import b2b_guest_user.minimal 00000000-0000-0000-0000-000000000000

# Or by email address (must match the mail or otherMails of exactly one user)
terraform import b2b_guest_user.minimal alice@partner.example
