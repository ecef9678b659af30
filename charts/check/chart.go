// Command chartcheck lints the Inspraak Helm chart, renders it for the
// value sets in testdata, decodes every rendered object strictly into the
// Kubernetes API types (an unknown or misspelt field fails, as the API
// server's strict field validation would refuse it), and checks what the
// chart promises a Haven cluster: non-root, read-only, probes, a preStop
// pause, several replicas, a disruption budget, secrets only by reference.
//
// It lives in a module of its own (charts/check/go.mod), so helm and the
// Kubernetes libraries never enter Inspraak's own go.mod.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Release is the release name and namespace the checks render with.
const (
	releaseName      = "inspraak"
	releaseNamespace = "inspraak"
)

// MinKubeVersion is the oldest Kubernetes the chart supports (Chart.yaml's
// kubeVersion): lifecycle.preStop.sleep is on by default from 1.30. The
// chart is rendered for it, and Chart.yaml must admit it.
const MinKubeVersion = "v1.30.0"

// Values reads a values file.
func Values(file string) (map[string]any, error) {
	v, err := common.ReadValuesFile(file)
	if err != nil {
		return nil, err
	}
	return v.AsMap(), nil
}

// Lint runs helm's linter (Chart.yaml, values against the schema, the
// templates rendered and parsed) with vals as the user's values. Errors
// fail; so do warnings, which helm prints but lets pass: a chart for a
// municipality's audit should have none.
func Lint(chartDir string, vals map[string]any) error {
	kv, err := common.ParseKubeVersion(MinKubeVersion)
	if err != nil {
		return err
	}
	res := lint.RunAll(chartDir, vals, releaseNamespace, lint.WithKubeVersion(kv))
	var probs []string
	for _, m := range res.Messages {
		if m.Severity >= support.WarningSev {
			probs = append(probs, m.Error())
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("helm lint:\n  %s", strings.Join(probs, "\n  "))
	}
	return nil
}

// Manifest is one rendered object, still as YAML.
type Manifest struct {
	Template string // e.g. inspraak/templates/deployment.yaml
	YAML     []byte
}

// Render renders the chart as `helm template` (or install --dry-run)
// would for a cluster of MinKubeVersion: values coalesced with the
// chart's, checked against values.schema.json, the templates executed.
// NOTES.txt is rendered (a fault in it fails) but is not a manifest.
func Render(chartDir string, vals map[string]any) ([]Manifest, error) {
	ch, err := loader.Load(chartDir)
	if err != nil {
		return nil, err
	}
	if !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, MinKubeVersion) {
		return nil, fmt.Errorf("Chart.yaml kubeVersion %q does not admit %s, the oldest Kubernetes the chart is rendered for", ch.Metadata.KubeVersion, MinKubeVersion)
	}
	return render(ch, vals)
}

func render(ch *chart.Chart, vals map[string]any) ([]Manifest, error) {
	caps := common.DefaultCapabilities.Copy()
	kv, err := common.ParseKubeVersion(MinKubeVersion)
	if err != nil {
		return nil, err
	}
	caps.KubeVersion = *kv
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return nil, err
	}
	top, err := util.ToRenderValuesWithSchemaValidation(ch, vals, common.ReleaseOptions{
		Name: releaseName, Namespace: releaseNamespace, Revision: 1, IsInstall: true,
	}, caps, false)
	if err != nil {
		return nil, err
	}
	var e engine.Engine
	e.Strict = true // a value the templates name that is not there fails
	out, err := e.RenderWithContext(context.Background(), ch, top)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	var ms []Manifest
	for _, name := range names {
		if path.Base(name) == "NOTES.txt" || strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(out[name])))
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if isEmptyDoc(doc) {
				continue
			}
			ms = append(ms, Manifest{Template: name, YAML: doc})
		}
	}
	return ms, nil
}

// isEmptyDoc tells a document of only comments, blank lines and the
// separator (a template whose condition is off) from an object.
func isEmptyDoc(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		l := bytes.TrimSpace(line)
		if len(l) == 0 || l[0] == '#' || string(l) == "---" {
			continue
		}
		return false
	}
	return true
}
