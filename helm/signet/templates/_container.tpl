{{/*
The signet container, shared by the gateway Deployment and the sidecar helper.
Call with (dict "root" $ "listen" "HOST:PORT").
*/}}
{{- define "signet.container" -}}
{{- $v := .root.Values -}}
name: signet
image: {{ include "signet.image" .root }}
imagePullPolicy: {{ $v.image.pullPolicy }}
args: [serve]
ports:
  - name: proxy
    containerPort: {{ $v.ports.proxy }}
    protocol: TCP
  - name: admin
    containerPort: {{ $v.ports.admin }}
    protocol: TCP
env:
  - name: SIGNET_LISTEN
    value: {{ printf "%s:%d" .listen (int $v.ports.proxy) | quote }}
  - name: SIGNET_ADMIN_LISTEN
    value: {{ printf "0.0.0.0:%d" (int $v.ports.admin) | quote }}
  - name: SIGNET_SPOOL_DIR
    value: /var/spool/signet
  - name: SIGNET_SHUTDOWN_GRACE
    value: {{ printf "%ds" (int $v.shutdownGraceSeconds) | quote }}
  - name: SIGNET_WORKERS
    value: {{ toString $v.workers | quote }}
  {{- range $flag, $value := $v.config }}
  {{- if ne (toString $value) "" }}
  - name: {{ printf "SIGNET_%s" ($flag | upper | replace "-" "_") }}
    value: {{ toString $value | quote }}
  {{- end }}
  {{- end }}
  {{- if $v.tls.enabled }}
  - name: SIGNET_TLS_CERT
    value: /etc/signet/tls/tls.crt
  - name: SIGNET_TLS_KEY
    value: /etc/signet/tls/tls.key
  {{- end }}
  {{- if $v.inboundKeys.existingSecret }}
  - name: SIGNET_INBOUND_KEYS
    value: {{ printf "/etc/signet/inbound/%s" $v.inboundKeys.key | quote }}
  {{- else if and $v.inboundKeys.allowAnonymous (ne .listen "127.0.0.1") }}
  {{- /* signet refuses a non-loopback listener without keys unless told; allowAnonymous is that telling. */}}
  - name: SIGNET_ALLOW_UNAUTHENTICATED
    value: "true"
  {{- end }}
  {{- if and $v.routes (eq $v.mode "gateway") }}
  - name: SIGNET_CONFIG
    value: /etc/signet/config/signet.yaml
  {{- end }}
  {{- if $v.upstreamCA.configMap }}
  - name: SIGNET_UPSTREAM_CA
    value: {{ printf "/etc/signet/upstream-ca/%s" $v.upstreamCA.key | quote }}
  {{- end }}
  {{- with $v.extraEnv }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- with $v.envFrom }}
envFrom:
  {{- toYaml . | nindent 2 }}
{{- end }}
startupProbe:
  httpGet: { path: /readyz, port: admin }
  {{- toYaml $v.probes.startup | nindent 2 }}
livenessProbe:
  httpGet: { path: /healthz, port: admin }
  {{- toYaml $v.probes.liveness | nindent 2 }}
readinessProbe:
  httpGet: { path: /readyz, port: admin }
  {{- toYaml $v.probes.readiness | nindent 2 }}
resources:
  {{- toYaml $v.resources | nindent 2 }}
securityContext:
  {{- toYaml $v.securityContext | nindent 2 }}
volumeMounts:
  - name: signet-spool
    mountPath: /var/spool/signet
  - name: signet-tmp
    mountPath: /tmp
  {{- if $v.tls.enabled }}
  - name: signet-tls
    mountPath: /etc/signet/tls
    readOnly: true
  {{- end }}
  {{- if $v.inboundKeys.existingSecret }}
  {{- /* A directory, never subPath: Secret updates reach signet, which reloads the keys without a restart. */}}
  - name: signet-inbound-keys
    mountPath: /etc/signet/inbound
    readOnly: true
  {{- end }}
  {{- if $v.upstreamCA.configMap }}
  - name: signet-upstream-ca
    mountPath: /etc/signet/upstream-ca
    readOnly: true
  {{- end }}
  {{- if and $v.routes (eq $v.mode "gateway") }}
  {{- /* A directory, not subPath: an edited ConfigMap reaches the file (for a reload). */}}
  - name: signet-config
    mountPath: /etc/signet/config
    readOnly: true
  {{- end }}
{{- end }}

{{/* The volumes the signet container mounts. Call with the root context. */}}
{{- define "signet.volumes" -}}
- name: signet-spool
  emptyDir:
    sizeLimit: {{ .Values.spool.sizeLimit }}
    {{- with .Values.spool.medium }}
    medium: {{ . }}
    {{- end }}
- name: signet-tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if .Values.tls.enabled }}
- name: signet-tls
  secret:
    secretName: {{ required "tls.secretName is required when tls.enabled" .Values.tls.secretName }}
{{- end }}
{{- if .Values.inboundKeys.existingSecret }}
- name: signet-inbound-keys
  secret:
    secretName: {{ .Values.inboundKeys.existingSecret }}
    defaultMode: 288 # 0440: owner and fsGroup may read
{{- end }}
{{- if .Values.upstreamCA.configMap }}
- name: signet-upstream-ca
  configMap:
    name: {{ .Values.upstreamCA.configMap }}
{{- end }}
{{- if and .Values.routes (eq .Values.mode "gateway") }}
- name: signet-config
  configMap:
    name: {{ include "signet.fullname" . }}-config
{{- end }}
{{- end }}

{{/*
Sidecar helper for your own chart (with signet as a dependency, its values under `signet:`):
  initContainers:
    {{- include "signet.sidecar.container" (dict "Values" .Values.signet "Chart" .Subcharts.signet.Chart "Release" .Release) | nindent 4 }}
  volumes:
    {{- include "signet.volumes" (dict "Values" .Values.signet) | nindent 4 }}
It is a native sidecar (restartPolicy: Always in initContainers, Kubernetes >= 1.29): it starts,
and passes its /readyz startup probe, before the app containers, and stops after them. The proxy
listens on 127.0.0.1 only: nothing outside the pod can use it.
*/}}
{{- define "signet.sidecar.container" -}}
- {{ include "signet.container" (dict "root" . "listen" "127.0.0.1") | nindent 2 | trim }}
  restartPolicy: Always
{{- end }}
