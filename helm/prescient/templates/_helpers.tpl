{{- define "prescient.labels" -}}
app.kubernetes.io/part-of: prescient
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "prescient.image" -}}
{{- $root := index . 0 -}}{{- $name := index . 1 -}}
{{ $root.Values.image.registry }}/{{ $name }}:{{ $root.Values.image.tag | default $root.Chart.AppVersion }}
{{- end -}}

{{- /* Whether the snapshot sidecar and VolumeSnapshotClass are installed: "auto" when the cluster serves
       snapshot.storage.k8s.io/v1 (the external-snapshotter CRDs and snapshot-controller are installed). */}}
{{- define "prescient.snapshots" -}}
{{- $want := toString .Values.snapshots.enabled -}}
{{- $served := .Capabilities.APIVersions.Has "snapshot.storage.k8s.io/v1/VolumeSnapshotClass" -}}
{{- if eq $want "true" -}}
{{- if not $served -}}
{{- fail "snapshots.enabled=true, but the cluster does not serve snapshot.storage.k8s.io/v1: install the VolumeSnapshot CRDs and snapshot-controller (kubernetes-csi/external-snapshotter, client/config/crd and deploy/kubernetes/snapshot-controller) first, or set snapshots.enabled=auto or false" -}}
{{- end -}}
true
{{- else if eq $want "auto" -}}
{{- $served -}}
{{- else -}}
false
{{- end -}}
{{- end -}}

{{- define "prescient.tlsSecret" -}}
{{ .Values.tls.existingSecret | default (printf "%s-tls" .Release.Name) }}
{{- end -}}
