variable "csv" {
  description = "The CSV text, e.g. file(\"guests.csv\"): a header line, then one row per guest. Columns: email (required), display_name, company_name, job_title, department, user_type (Guest or Member), groups (names from var.groups or group object IDs, separated by \";\"); empty cells are left unmanaged."
  type        = string
}

variable "redirect_url" {
  description = "Where invited guests land after redeeming. Null uses the provider's default_redirect_url."
  type        = string
  default     = null
}

variable "send_invitation_message" {
  description = "Whether Microsoft Graph emails the guests this module invites. Adopted guests are never emailed."
  type        = bool
  default     = true
}

variable "adopt_existing" {
  description = "Take over users whose address already exists in the tenant instead of failing. Keep it true while migrating; set it to false afterwards so that a typo cannot adopt someone else's account."
  type        = bool
  default     = true
}

variable "groups" {
  description = "Group object IDs by the short names the CSV's groups column uses, e.g. { partners = \"<object ID>\" }. A name not in the map is taken as an object ID."
  type        = map(string)
  default     = {}
}

variable "sponsor_ids" {
  description = "Object IDs of the users or groups that sponsor every guest of this CSV (at most 5). Null leaves sponsors unmanaged."
  type        = set(string)
  default     = null
}
