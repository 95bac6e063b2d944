{{/* Names, labels and the pieces every workload shares. */}}

{{- define "tracelens.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tracelens.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A component's object name: <fullname>-<component>. Call with (list $ "api"). */}}
{{- define "tracelens.componentName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "tracelens.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tracelens.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tracelens.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tracelens.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "tracelens.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tracelens
{{- end -}}

{{/* Labels of one component's objects. Call with (list $ "api"). */}}
{{- define "tracelens.componentLabels" -}}
{{- $root := index . 0 -}}
{{ include "tracelens.labels" $root }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "tracelens.componentSelector" -}}
{{- $root := index . 0 -}}
{{ include "tracelens.selectorLabels" $root }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/*
The image of a role, pinned by digest when one is given. With images.requireDigest the chart
refuses to render a workload whose image has no digest. Call with (list $ "api").
*/}}
{{- define "tracelens.image" -}}
{{- $root := index . 0 -}}
{{- $role := index . 1 -}}
{{- $images := $root.Values.images -}}
{{- $image := index $images $role -}}
{{- $ref := printf "%s/%s:%s" $images.registry $image.repository (toString $images.tag) -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $ref $image.digest -}}
{{- else if $images.requireDigest -}}
{{- fail (printf "images.%s.digest is required (images.requireDigest is true): pass the digest the pipeline pushed, --set images.%s.digest=sha256:..." $role $role) -}}
{{- else -}}
{{- $ref -}}
{{- end -}}
{{- end -}}

{{/* The Google service account a component's KSA impersonates (Workload Identity). */}}
{{- define "tracelens.gcpServiceAccount" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- $explicit := index . 2 -}}
{{- default (printf "tracelens-%s@%s.iam.gserviceaccount.com" $component $root.Values.gcp.projectId) $explicit -}}
{{- end -}}

{{/* A ServiceAccount with the Workload Identity annotation. Call with (list $ "api" .Values.api). */}}
{{- define "tracelens.serviceAccount" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- $values := index . 2 -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "tracelens.componentName" (list $root $component) }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "tracelens.componentLabels" (list $root $component) | nindent 4 }}
  annotations:
    iam.gke.io/gcp-service-account: {{ include "tracelens.gcpServiceAccount" (list $root $component $values.serviceAccount.gcpServiceAccount) }}
automountServiceAccountToken: false
{{- end -}}

{{/* Pod-level securityContext: non-root, fixed ids, RuntimeDefault seccomp. */}}
{{- define "tracelens.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level securityContext: read-only root, no escalation, every capability dropped. */}}
{{- define "tracelens.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Labels and annotations of a pod: mesh membership and the Prometheus merge hints. */}}
{{- define "tracelens.podMeshLabels" -}}
{{- if .Values.istio.enabled }}
sidecar.istio.io/inject: "true"
{{- end }}
{{- end -}}

{{/* Spread a component's pods over zones and nodes. Call with (list $ "api"). */}}
{{- define "tracelens.topologySpread" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- range $root.Values.topologySpread.topologyKeys }}
- maxSkew: {{ $root.Values.topologySpread.maxSkew }}
  topologyKey: {{ . }}
  whenUnsatisfiable: {{ $root.Values.topologySpread.whenUnsatisfiable }}
  labelSelector:
    matchLabels:
      {{- include "tracelens.componentSelector" (list $root $component) | nindent 6 }}
{{- end }}
{{- end -}}

{{/* The writable scratch space under a read-only root filesystem. */}}
{{- define "tracelens.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end -}}

{{- define "tracelens.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Where TRACELENS_DATABASE_URL comes from: CloudNativePG's app Secret, or ours. */}}
{{- define "tracelens.databaseSecretName" -}}
{{- if .Values.postgres.cluster.enabled -}}
{{- printf "%s-app" (include "tracelens.componentName" (list . "pg")) -}}
{{- else if .Values.database.existingSecret -}}
{{- .Values.database.existingSecret -}}
{{- else -}}
{{- include "tracelens.componentName" (list . "database") -}}
{{- end -}}
{{- end -}}

{{- define "tracelens.databaseSecretKey" -}}
{{- if .Values.postgres.cluster.enabled -}}uri{{- else if .Values.database.existingSecret -}}{{ .Values.database.existingSecretKey }}{{- else -}}url{{- end -}}
{{- end -}}

{{- define "tracelens.databaseEnv" -}}
- name: TRACELENS_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "tracelens.databaseSecretName" . }}
      key: {{ include "tracelens.databaseSecretKey" . }}
{{- end -}}

{{- define "tracelens.kafkaEnabled" -}}
{{- if eq .Values.config.queueBackend "kafka" -}}true{{- end -}}
{{- end -}}

{{- define "tracelens.kafkaClusterName" -}}
{{- include "tracelens.componentName" (list . "kafka") -}}
{{- end -}}

{{- define "tracelens.kafkaUserName" -}}
{{- include "tracelens.componentName" (list . "app") -}}
{{- end -}}

{{- define "tracelens.mlflowTrackingUri" -}}
{{- if .Values.mlflow.enabled -}}
{{- printf "http://%s:%v" (include "tracelens.componentName" (list . "mlflow")) .Values.mlflow.port -}}
{{- else -}}
{{- .Values.mlflow.externalTrackingUri -}}
{{- end -}}
{{- end -}}

{{- define "tracelens.apiUrl" -}}
{{- printf "http://%s:%v" (include "tracelens.componentName" (list . "api")) .Values.api.port -}}
{{- end -}}

{{/* Environment every TraceLens process shares: the ConfigMap, the database, the Kafka client. */}}
{{- define "tracelens.appEnvFrom" -}}
- configMapRef:
    name: {{ include "tracelens.componentName" (list . "config") }}
{{- end -}}

{{- define "tracelens.llmEnv" -}}
{{- if .Values.externalSecrets.remoteKeys.llmApiKey }}
- name: TRACELENS_LLM_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "tracelens.componentName" (list . "llm") }}
      key: api-key
{{- end }}
{{- end -}}

{{- define "tracelens.kafkaEnv" -}}
{{- if include "tracelens.kafkaEnabled" . }}
{{- if .Values.kafka.strimzi.enabled }}
- name: TRACELENS_KAFKA_BOOTSTRAP_SERVERS
  value: {{ printf "%s-kafka-bootstrap:9093" (include "tracelens.kafkaClusterName" .) }}
- name: TRACELENS_KAFKA_SECURITY_PROTOCOL
  value: SASL_SSL
- name: TRACELENS_KAFKA_SASL_MECHANISM
  value: SCRAM-SHA-512
- name: TRACELENS_KAFKA_SASL_USERNAME
  value: {{ include "tracelens.kafkaUserName" . }}
- name: TRACELENS_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "tracelens.kafkaUserName" . }}
      key: password
- name: TRACELENS_KAFKA_SSL_CAFILE
  value: /etc/tracelens/kafka-ca/ca.crt
{{- else }}
- name: TRACELENS_KAFKA_BOOTSTRAP_SERVERS
  value: {{ required "kafka.external.bootstrapServers is required when config.queueBackend is kafka and kafka.strimzi.enabled is false" .Values.kafka.external.bootstrapServers | quote }}
- name: TRACELENS_KAFKA_SECURITY_PROTOCOL
  value: {{ .Values.kafka.external.securityProtocol }}
{{- if .Values.kafka.external.saslUsername }}
- name: TRACELENS_KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.external.saslMechanism }}
- name: TRACELENS_KAFKA_SASL_USERNAME
  value: {{ .Values.kafka.external.saslUsername | quote }}
- name: TRACELENS_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "tracelens.componentName" (list . "kafka-credentials") }}
      key: password
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "tracelens.kafkaCaVolume" -}}
{{- if and (include "tracelens.kafkaEnabled" .) .Values.kafka.strimzi.enabled }}
- name: kafka-ca
  secret:
    secretName: {{ printf "%s-cluster-ca-cert" (include "tracelens.kafkaClusterName" .) }}
    items:
      - key: ca.crt
        path: ca.crt
{{- end }}
{{- end -}}

{{- define "tracelens.kafkaCaMount" -}}
{{- if and (include "tracelens.kafkaEnabled" .) .Values.kafka.strimzi.enabled }}
- name: kafka-ca
  mountPath: /etc/tracelens/kafka-ca
  readOnly: true
{{- end }}
{{- end -}}

{{/* Extra environment variables from values (name/value pairs). */}}
{{- define "tracelens.extraEnv" -}}
{{- range . }}
- name: {{ .name }}
  value: {{ .value | quote }}
{{- end }}
{{- end -}}

{{/* Pod scheduling fields shared by workloads: nodeSelector and tolerations. */}}
{{- define "tracelens.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Annotations that let Istio's agent merge the app's metrics into :15020/stats/prometheus. */}}
{{- define "tracelens.metricsAnnotations" -}}
{{- $port := index . 0 -}}
{{- $path := index . 1 -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ $port | quote }}
prometheus.io/path: {{ $path }}
{{- end -}}

{{- define "tracelens.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Labels for objects an operator (Strimzi, CloudNativePG) turns into pods: without the selector
labels, so the chart's default-deny NetworkPolicy and mesh policies never select those pods even
when an operator copies the custom resource's labels onto them. Call with (list $ "kafka").
*/}}
{{- define "tracelens.operandLabels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
app.kubernetes.io/part-of: tracelens
app.kubernetes.io/component: {{ index . 1 }}
tracelens.io/release: {{ $root.Release.Name }}
{{- end -}}
