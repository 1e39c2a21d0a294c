variable "csv" {
  description = "The CSV text, e.g. file(\"guests.csv\"): a header line, then one row per guest. Columns (headings in any case): email (required), display_name, company_name, job_title, department, user_type (Guest or Member), groups (names from var.groups or group object IDs, separated by \";\"); empty cells are left unmanaged. A byte order mark, CRLF line ends and rows of empty cells are accepted; an unknown heading, a second row for an address and a row without an address fail the plan."
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
  description = "Group object IDs by the short names the CSV's groups column uses, e.g. { partners = \"<object ID>\" }. A name that is neither in the map nor an object ID fails the plan, naming the row."
  type        = map(string)
  default     = {}
}

variable "sponsor_ids" {
  description = "Object IDs of the users or groups that sponsor every guest of this CSV (at most 5). Null leaves sponsors unmanaged."
  type        = set(string)
  default     = null
}

variable "allow_empty" {
  description = "Accept a CSV that lists no guest. An empty export (a header alone, or a file saved before its rows were pasted) would otherwise plan the deletion of every guest this module manages, so by default the plan fails instead. Set it to true to remove them all on purpose."
  type        = bool
  default     = false
}
