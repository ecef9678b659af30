package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const chartDir = "../inspraak"

// The chart lints clean, renders, decodes strictly and keeps its promises
// for the default and the production-like values; each set renders what
// it switches on.
func TestChartKeepsItsPromises(t *testing.T) {
	want := map[string][]string{
		"testdata/required.yaml":   {"Deployment", "Ingress", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount"},
		"testdata/production.yaml": {"Deployment", "HorizontalPodAutoscaler", "Ingress", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount", "ServiceMonitor"},
	}
	for _, s := range Sets {
		n, kinds, err := CheckSet(chartDir, s.File)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if got := strings.Join(want[s.File], ", "); kinds != got {
			t.Errorf("%s: rendered %s, want %s", s.Name, kinds, got)
		}
		if n != len(want[s.File]) {
			t.Errorf("%s: %d objects, want %d", s.Name, n, len(want[s.File]))
		}
	}
}

// Every values file in testdata/refused is refused with the message it
// names, by the schema or by the templates.
func TestRefusedValues(t *testing.T) {
	files, err := filepath.Glob("testdata/refused/*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("refused value files: %v %v", files, err)
	}
	for _, f := range files {
		if _, err := CheckRefused(chartDir, f); err != nil {
			t.Error(err)
		}
	}
}

// A wrong type and an unknown key are the schema's to refuse, so helm
// lint, install and template refuse them too, not only this checker.
func TestSchemaRefusesWrongTypeAndUnknownKey(t *testing.T) {
	for file, want := range map[string]string{
		"testdata/refused/wrong-type.yaml":  "/replicaCount",
		"testdata/refused/unknown-key.yaml": "additional properties 'replicas' not allowed",
	} {
		vals, err := Values(file)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Render(chartDir, vals)
		if err == nil || !strings.Contains(err.Error(), schemaRefusal) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want the schema's refusal naming %q, got %v", file, want, err)
		}
		if err := Lint(chartDir, vals); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: helm lint: want a refusal naming %q, got %v", file, want, err)
		}
	}
}

// The strict decoding refuses what the API server's strict field
// validation refuses and helm lint lets through: a misspelt field, a
// field in the wrong case, a key twice, a field the ServiceMonitor type
// does not have, a kind the checker has no type for.
func TestStrictDecodingRefusesWhatLintLetsThrough(t *testing.T) {
	cases := []struct {
		name, file, old, new, want string
	}{
		{"misspelt field", "templates/deployment.yaml", "readinessProbe:", "readinesProbe:", `unknown field "spec.template.spec.containers[0].readinesProbe"`},
		{"field in the wrong case", "templates/deployment.yaml", "livenessProbe:", "LivenessProbe:", `unknown field "spec.template.spec.containers[0].LivenessProbe"`},
		{"key twice", "templates/deployment.yaml", "  revisionHistoryLimit: 5\n", "  revisionHistoryLimit: 5\n  revisionHistoryLimit: 6\n", `"revisionHistoryLimit" already set`},
		{"field of the wrong type", "templates/service.yaml", "  type: {{ .Values.service.type }}", "  type: [{{ .Values.service.type }}]", "cannot unmarshal array"},
		{"misspelt ServiceMonitor field", "templates/servicemonitor.yaml", "scrapeTimeout:", "scrapeTimout:", `unknown field "spec.endpoints[0].scrapeTimout"`},
		{"unknown kind", "templates/service.yaml", "kind: Service", "kind: Servic", `no API type known for apiVersion "v1" kind "Servic"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyChart(t)
			edit(t, dir, c.file, c.old, c.new)
			vals := values(t, "testdata/production.yaml")
			if err := Lint(dir, vals); err != nil {
				t.Logf("helm lint caught it too: %v", err)
			}
			ms, err := Render(dir, vals)
			if err != nil {
				t.Fatalf("the edited chart should still render (the decoding is what must refuse it): %v", err)
			}
			_, err = DecodeAll(ms)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want a refusal with %q, got %v", c.want, err)
			}
		})
	}
}

// Each promise fails when a copy of the chart breaks it.
func TestPromisesFailWhenBroken(t *testing.T) {
	cases := []struct {
		name, file, old, new, want string
	}{
		{"writable root filesystem", "templates/deployment.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "readOnlyRootFilesystem must be true"},
		{"root user", "templates/deployment.yaml", "            runAsUser: 65532", "            runAsUser: 0", "runAsUser and runAsGroup must be 65532"},
		{"privilege escalation", "templates/deployment.yaml", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "allowPrivilegeEscalation must be false"},
		{"capabilities kept", "templates/deployment.yaml", `drop: ["ALL"]`, `drop: ["NET_RAW"]`, "capabilities must drop ALL"},
		{"no seccomp", "templates/deployment.yaml", "              type: RuntimeDefault\n", "              type: Unconfined\n", "seccompProfile must be RuntimeDefault"},
		{"readiness on the wrong path", "templates/deployment.yaml", "path: /readyz", "path: /healthz", `readinessProbe GETs "/healthz", want /readyz`},
		{"liveness on the database", "templates/deployment.yaml", "          livenessProbe:\n            httpGet:\n              path: /healthz", "          livenessProbe:\n            httpGet:\n              path: /readyz", `livenessProbe GETs "/readyz", want /healthz`},
		{"no preStop", "templates/deployment.yaml", "            preStop:\n              sleep:\n                seconds: {{ .Values.preStopSleepSeconds }}", "            postStart:\n              sleep:\n                seconds: 1", "no preStop sleep"},
		{"grace too short", "templates/deployment.yaml", "terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}", "terminationGracePeriodSeconds: 24", "terminationGracePeriodSeconds 24 does not exceed"},
		{"one replica", "templates/deployment.yaml", "{{- if not .Values.autoscaling.enabled }}\n  replicas: {{ .Values.replicaCount }}", "{{- if true }}\n  replicas: 1", "want at least 2 replicas"},
		{"autoscaler down to one", "templates/hpa.yaml", "minReplicas: {{ .Values.autoscaling.minReplicas }}", "minReplicas: 1", "minReplicas must be at least 2"},
		{"no disruption budget", "templates/poddisruptionbudget.yaml", "{{- if and .Values.podDisruptionBudget.enabled", "{{- if and false", "no PodDisruptionBudget"},
		{"secret inline", "templates/_helpers.tpl", `{{ include "inspraak.secretEnv" (dict "name" "INSPRAAK_SESSION_KEY" "secret" $secret "key" $keys.sessionKey) }}`, "- name: INSPRAAK_SESSION_KEY\n  value: an-inline-value-that-anyone-reading-the-deployment-sees", "env INSPRAAK_SESSION_KEY holds a secret"},
		{"a Secret in the chart", "templates/service.yaml", "apiVersion: v1\nkind: Service", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: keys\nstringData:\n  session-key: inline\n---\napiVersion: v1\nkind: Service", "the chart carries no secrets"},
		{"token mounted", "templates/deployment.yaml", "      automountServiceAccountToken: false", "      automountServiceAccountToken: true", "mount a service account token"},
		{"hostPath volume", "templates/deployment.yaml", "          emptyDir:\n            sizeLimit: 64Mi", "          hostPath:\n            path: /tmp", "volume tmp is a hostPath"},
		{"TLS left out", "templates/ingress.yaml", "        - {{ .Values.ingress.host | quote }}", "        - other.gemeente.example", "is not covered by TLS"},
		{"egress open", "templates/networkpolicy.yaml", "    - Egress\n", "", "must limit both Ingress and Egress"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyChart(t)
			edit(t, dir, c.file, c.old, c.new)
			_, objs := rendered(t, dir, values(t, "testdata/production.yaml"))
			probs := Promises(objs)
			if !strings.Contains(strings.Join(probs, "\n"), c.want) {
				t.Fatalf("want a broken promise %q, got %q", c.want, probs)
			}
		})
	}
}

// A secret typed into a setting the schema does not know as secret, or
// into a URL, is caught by its look.
func TestSecretLookingValuesAreRefused(t *testing.T) {
	for name, value := range map[string]string{
		"INSPRAAK_OTEL_ENDPOINT": "https://collector:hunter2hunter2@otel.gemeente.example",
		"INSPRAAK_SOME_TOKEN":    "abcdefghijklmnopqrstuvwxyz012345",
	} {
		vals := values(t, "testdata/required.yaml")
		vals["extraEnv"] = map[string]any{name: value}
		_, objs := rendered(t, chartDir, vals)
		if probs := strings.Join(Promises(objs), "\n"); !strings.Contains(probs, "env "+name+" looks like a secret") {
			t.Errorf("%s: want it flagged, got %q", name, probs)
		}
	}
}

// The one-instance SQLite setup renders one replica, replaced not rolled,
// on its volume, with no disruption budget to block a drain forever.
func TestSQLiteIsOneInstance(t *testing.T) {
	vals := values(t, "testdata/required.yaml")
	vals["replicaCount"] = 1
	vals["database"] = map[string]any{"engine": "sqlite", "sqlite": map[string]any{"existingClaim": "inspraak-data"}}
	ms, objs := rendered(t, chartDir, vals)
	if k := Kinds(objs); strings.Contains(k, "PodDisruptionBudget") {
		t.Errorf("rendered %s", k)
	}
	all := ""
	for _, m := range ms {
		all += string(m.YAML)
	}
	for _, want := range []string{"replicas: 1", "type: Recreate", "claimName: inspraak-data", `value: "sqlite:/data/inspraak.db"`} {
		if !strings.Contains(all, want) {
			t.Errorf("want %q in the manifests", want)
		}
	}
	if probs := Promises(objs); !strings.Contains(strings.Join(probs, "\n"), "want at least 2 replicas") {
		t.Errorf("the promises are for several replicas; got %q", probs)
	}
	vals["autoscaling"] = map[string]any{"enabled": true, "minReplicas": 2, "maxReplicas": 4, "targetCPUUtilizationPercentage": 70}
	if _, err := Render(chartDir, vals); err == nil || !strings.Contains(err.Error(), "runs exactly one instance") {
		t.Errorf("SQLite with autoscaling: want it refused, got %v", err)
	}
}

// A setting Inspraak does not read is refused: the app would ignore it.
func TestMisspeltSettingIsRefused(t *testing.T) {
	dir := copyChart(t)
	edit(t, dir, "templates/_helpers.tpl", "- name: INSPRAAK_DB_MAX_OPEN_CONNS", "- name: INSPRAAK_DB_MAX_OPEN_CONN")
	_, objs := rendered(t, dir, values(t, "testdata/production.yaml"))
	probs, err := UnknownSettings(objs)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(probs, "\n"); !strings.Contains(got, "env INSPRAAK_DB_MAX_OPEN_CONN is no setting") || strings.Count(got, "\n") != 0 {
		t.Fatalf("want only the misspelt setting refused, got %q", probs)
	}
	// Put together from parts, as the app does: a provider's claim, a rate.
	names, err := loadSettingNames()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"INSPRAAK_STAFF_GROUPS_CLAIM":    true,
		"INSPRAAK_EHERKENNING_LOA_MAP":   true,
		"INSPRAAK_RATE_VOTE":             true,
		"INSPRAAK_RATE_VOTES":            false,
		"INSPRAAK_STAF_ISSUER":           false,
		"INSPRAAK_DIGID_CLIENT_SECRETS":  false,
		"INSPRAAK_MUNICIPALITY_LOGO_URL": false,
	} {
		if got := names.known(name); got != want {
			t.Errorf("known(%s) = %v, want %v", name, got, want)
		}
	}
}

// helm lint's errors fail the check.
func TestLintErrorsFail(t *testing.T) {
	dir := copyChart(t)
	edit(t, dir, "Chart.yaml", "version: 0.1.0", "version: not-a-version")
	if err := Lint(dir, values(t, "testdata/required.yaml")); err == nil || !strings.Contains(err.Error(), "version") {
		t.Fatalf("want lint to refuse the version, got %v", err)
	}
}

// rendered renders the chart in dir with vals and decodes every object
// strictly; either failing stops the test.
func rendered(t *testing.T, dir string, vals map[string]any) ([]Manifest, []Object) {
	t.Helper()
	ms, err := Render(dir, vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	objs, err := DecodeAll(ms)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return ms, objs
}

func values(t *testing.T, file string) map[string]any {
	t.Helper()
	v, err := Values(file)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// copyChart copies the chart into a temporary directory to break it there.
func copyChart(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "inspraak")
	err := filepath.WalkDir(chartDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(chartDir, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// edit replaces old by new in a file of the copy, once; old must be there,
// so a test never passes on a chart it did not change.
func edit(t *testing.T, dir, file, old, new string) {
	t.Helper()
	p := filepath.Join(dir, file)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
