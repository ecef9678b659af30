{{/*
Names and labels, the usual way: <release>-inspraak unless the release
name already holds the chart's name.
*/}}
{{- define "inspraak.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "inspraak.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "inspraak.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "inspraak.selectorLabels" -}}
app.kubernetes.io/name: {{ include "inspraak.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "inspraak.labels" -}}
helm.sh/chart: {{ include "inspraak.chart" . }}
{{ include "inspraak.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: inspraak
{{- end }}

{{- define "inspraak.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "inspraak.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "inspraak.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{- define "inspraak.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "inspraak.fullname" .)) .Values.ingress.tlsSecretName }}
{{- end }}

{{/*
inspraak.validate stops rendering on combinations the schema cannot
express, with a message that says what to change.
*/}}
{{- define "inspraak.validate" -}}
{{- if eq .Values.database.engine "sqlite" }}
{{- if or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled }}
{{- fail "database.engine=sqlite runs exactly one instance: the embedded SQLite database is one file that one process writes. Set replicaCount: 1 and autoscaling.enabled: false, or use database.engine=postgresql (the production database) for several replicas." }}
{{- end }}
{{- if not .Values.database.sqlite.existingClaim }}
{{- fail "database.engine=sqlite needs database.sqlite.existingClaim: a PersistentVolumeClaim for the database file, or every restart starts with an empty database." }}
{{- end }}
{{- else }}
{{- if and (not .Values.autoscaling.enabled) (lt (int .Values.replicaCount) 2) }}
{{- fail "replicaCount must be at least 2 on PostgreSQL: one instance is down during every node drain and rollout. (database.engine=sqlite is the one-instance setup.)" }}
{{- end }}
{{- end }}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) }}
{{- fail "autoscaling.maxReplicas must be at least autoscaling.minReplicas." }}
{{- end }}
{{- if and .Values.autoscaling.enabled (not (and .Values.resources.requests .Values.resources.requests.cpu)) }}
{{- fail "autoscaling on CPU needs resources.requests.cpu: the target is a share of the request." }}
{{- end }}
{{- if le (int .Values.terminationGracePeriodSeconds) (add (int .Values.preStopSleepSeconds) (int .Values.drainDelaySeconds) 10) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds (%d) plus drainDelaySeconds (%d) plus the 10 seconds Inspraak gives requests in flight after its drain: the pod would be killed mid-request." (int .Values.terminationGracePeriodSeconds) (int .Values.preStopSleepSeconds) (int .Values.drainDelaySeconds)) }}
{{- end }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- $minAvailable := dig "minAvailable" "" $pdb | toString }}
{{- $maxUnavailable := dig "maxUnavailable" "" $pdb | toString }}
{{- if and $pdb.enabled (eq $minAvailable "") (eq $maxUnavailable "") }}
{{- fail "podDisruptionBudget needs minAvailable or maxUnavailable." }}
{{- end }}
{{- if and $pdb.enabled (ne $minAvailable "") (ne $maxUnavailable "") }}
{{- fail "podDisruptionBudget takes minAvailable or maxUnavailable, not both: set the other to \"\"." }}
{{- end }}
{{- if and (eq .Values.config.verification "brp") (or (not .Values.config.brpURL) (not .Values.config.gemeentecode)) }}
{{- fail "config.verification=brp needs config.brpURL and config.gemeentecode." }}
{{- end }}
{{- range $means, $p := .Values.providers }}
{{- if and $p.issuer (not $p.clientID) }}
{{- fail (printf "providers.%s.issuer is set, so providers.%s.clientID is needed too." $means $means) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
inspraak.env: every INSPRAAK_* setting. Secret ones only ever come from
the existing Secret (secretKeyRef); the chart never holds their values.
*/}}
{{- define "inspraak.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end }}

{{- define "inspraak.env" -}}
{{- $secret := .Values.existingSecret.name }}
{{- $keys := .Values.existingSecret.keys }}
- name: INSPRAAK_ENV
  value: production
- name: INSPRAAK_ADDR
  value: ":8080"
- name: INSPRAAK_BASE_URL
  value: {{ printf "https://%s" .Values.ingress.host | quote }}
{{- if eq .Values.database.engine "sqlite" }}
- name: INSPRAAK_DATABASE_URL
  value: "sqlite:/data/inspraak.db"
{{- else }}
{{ include "inspraak.secretEnv" (dict "name" "INSPRAAK_DATABASE_URL" "secret" $secret "key" $keys.databaseURL) }}
{{- end }}
- name: INSPRAAK_DB_MAX_OPEN_CONNS
  value: {{ .Values.database.maxOpenConns | int | quote }}
- name: INSPRAAK_DB_MAX_IDLE_CONNS
  value: {{ .Values.database.maxIdleConns | int | quote }}
- name: INSPRAAK_DB_CONN_MAX_LIFETIME
  value: {{ .Values.database.connMaxLifetime | quote }}
- name: INSPRAAK_DRAIN_DELAY
  value: {{ printf "%ds" (int .Values.drainDelaySeconds) | quote }}
- name: INSPRAAK_AUTO_MIGRATE
  value: {{ .Values.config.autoMigrate | quote }}
{{ include "inspraak.secretEnv" (dict "name" "INSPRAAK_SESSION_KEY" "secret" $secret "key" $keys.sessionKey) }}
{{ include "inspraak.secretEnv" (dict "name" "INSPRAAK_PSEUDONYM_KEY" "secret" $secret "key" $keys.pseudonymKey) }}
- name: INSPRAAK_PSEUDONYM_KEY_VERSION
  value: {{ .Values.config.pseudonymKeyVersion | int | quote }}
{{ include "inspraak.secretEnv" (dict "name" "INSPRAAK_METRICS_TOKEN" "secret" $secret "key" $keys.metricsToken) }}
{{ include "inspraak.secretEnv" (dict "name" "INSPRAAK_SMTP_URL" "secret" $secret "key" $keys.smtpURL) }}
- name: INSPRAAK_MAIL_FROM
  value: {{ .Values.config.mailFrom | quote }}
- name: INSPRAAK_MUNICIPALITY_NAME
  value: {{ .Values.config.municipalityName | quote }}
{{- with .Values.config.municipalityLogo }}
- name: INSPRAAK_MUNICIPALITY_LOGO
  value: {{ . | quote }}
{{- end }}
- name: INSPRAAK_DEFAULT_LANGUAGE
  value: {{ .Values.config.defaultLanguage | quote }}
- name: INSPRAAK_LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
{{- with .Values.config.trustedProxies }}
- name: INSPRAAK_TRUSTED_PROXIES
  value: {{ join "," . | quote }}
{{- end }}
- name: INSPRAAK_MAX_BODY_BYTES
  value: {{ .Values.config.maxBodyBytes | int64 | quote }}
- name: INSPRAAK_PAGE_CACHE
  value: {{ .Values.config.pageCache | quote }}
- name: INSPRAAK_VERIFICATION
  value: {{ .Values.config.verification | quote }}
{{- if eq .Values.config.verification "brp" }}
- name: INSPRAAK_BRP_URL
  value: {{ .Values.config.brpURL | quote }}
- name: INSPRAAK_GEMEENTECODE
  value: {{ .Values.config.gemeentecode | quote }}
{{ include "inspraak.secretEnv" (dict "name" "INSPRAAK_BRP_API_KEY" "secret" $secret "key" $keys.brpAPIKey) }}
{{- end }}
{{- range $means := list "digid" "eherkenning" "staff" }}
{{- $p := index $.Values.providers $means }}
{{- if $p.issuer }}
{{- $pre := printf "INSPRAAK_%s_" (upper $means) }}
- name: {{ $pre }}ISSUER
  value: {{ $p.issuer | quote }}
- name: {{ $pre }}CLIENT_ID
  value: {{ $p.clientID | quote }}
{{ include "inspraak.secretEnv" (dict "name" (printf "%sCLIENT_SECRET" $pre) "secret" $secret "key" (index $keys (printf "%sClientSecret" $means))) }}
{{- end }}
{{- end }}
{{- range $name, $value := .Values.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
