variable "project_id" {
  description = "GCP project of the secrets."
  type        = string
}

variable "region" {
  description = "The single region the secrets are replicated to (the KMS key's region)."
  type        = string
}

variable "kms_key_id" {
  description = "Cloud KMS key that encrypts the secret payloads (the Secret Manager service agent must hold it)."
  type        = string
}

variable "secrets" {
  description = "Secret ids to create, each with a description. Terraform creates the secret only; its value is added out of band (gcloud secrets versions add), so no value ever enters the state."
  type        = map(string)
  default = {
    tracelens-api-keys            = "API keys accepted by the TraceLens REST API (one per line)."
    tracelens-ui-api-key          = "The key the Streamlit UI sends to the API as a Bearer token."
    tracelens-llm-api-key         = "API key of the OpenAI-compatible LLM endpoint, when one is used."
    tracelens-database-url        = "PostgreSQL URL for the application when the database uses password authentication."
    tracelens-mlflow-database-url = "PostgreSQL URL of the MLflow tracking store."
  }
}

variable "labels" {
  description = "Labels of every secret."
  type        = map(string)
  default     = {}
}
