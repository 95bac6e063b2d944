variable "project_id" {
  description = "GCP project of the zone and the address."
  type        = string
}

variable "region" {
  description = "Region of the regional address (the Istio ingress gateway's LoadBalancer Service)."
  type        = string
}

variable "global_address" {
  description = "Reserve a global address (for a GKE Ingress, i.e. an HTTPS load balancer) instead of a regional one (for a LoadBalancer Service such as the chart's Istio ingress gateway)."
  type        = bool
  default     = false
}

variable "name" {
  description = "Name prefix of the zone and the static address."
  type        = string
}

variable "domain" {
  description = "DNS name of the zone, without the trailing dot (e.g. tracelens.example.edu)."
  type        = string
}

variable "records" {
  description = "Host names (relative to the domain) that point at the ingress address; the empty string is the apex, which is the chart's Istio gateway host (tracelens[.dev].example.edu)."
  type        = list(string)
  default     = [""]
}

variable "dns01_service_account" {
  description = "NAMESPACE/NAME of cert-manager's Kubernetes service account, which solves ACME DNS-01 challenges in this zone through its own Google service account; null for none."
  type        = string
  default     = "cert-manager/cert-manager"
}

variable "ttl" {
  description = "TTL of the A records, in seconds."
  type        = number
  default     = 300
}

variable "labels" {
  description = "Labels of the zone and the address."
  type        = map(string)
  default     = {}
}
