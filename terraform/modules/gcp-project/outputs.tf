output "project_number" {
  description = "Numeric project id."
  value       = local.number
}

output "service_agents" {
  description = "IAM members of the Google service agents that encrypt with CMEK, by service."
  value       = local.service_agents
  depends_on  = [google_project_service_identity.this]
}

output "services" {
  description = "Enabled APIs (depend on this output to order resources after API enablement)."
  value       = [for s in google_project_service.this : s.service]
}
