package main

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Object is a rendered manifest decoded into its API type.
type Object struct {
	Manifest
	APIVersion, Kind, Name string
	Typed                  any // *appsv1.Deployment, *corev1.Service, ...
}

// types are the API types a rendered object may have, by apiVersion and
// kind. A kind that is not here fails: a new template needs its type
// added, so nothing is ever left unchecked by accident.
var types = map[string]func() any{
	"apps/v1/Deployment":                      func() any { return &appsv1.Deployment{} },
	"v1/Service":                              func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                       func() any { return &corev1.ServiceAccount{} },
	"v1/ConfigMap":                            func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                               func() any { return &corev1.Secret{} },
	"policy/v1/PodDisruptionBudget":           func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler":  func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"networking.k8s.io/v1/NetworkPolicy":      func() any { return &networkingv1.NetworkPolicy{} },
	"networking.k8s.io/v1/Ingress":            func() any { return &networkingv1.Ingress{} },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return &ServiceMonitor{} },
}

// Decode decodes m strictly: YAML with a key twice is refused, and so is
// any field the API type does not have, matched case-sensitively: the
// rules of the API server's strict field validation (sigs.k8s.io/json,
// which the API server uses). encoding/json alone would let
// "ReadinessProbe" pass for "readinessProbe".
func Decode(m Manifest) (Object, error) {
	js, err := yaml.YAMLToJSONStrict(m.YAML)
	if err != nil {
		return Object{}, fmt.Errorf("%s: %w", m.Template, err)
	}
	var tm metav1.TypeMeta
	if err := kjson.UnmarshalCaseSensitivePreserveInts(js, &tm); err != nil {
		return Object{}, fmt.Errorf("%s: %w", m.Template, err)
	}
	newObj, ok := types[tm.APIVersion+"/"+tm.Kind]
	if !ok {
		return Object{}, fmt.Errorf("%s: no API type known for apiVersion %q kind %q: add it to the checker's types", m.Template, tm.APIVersion, tm.Kind)
	}
	obj := newObj()
	strict, err := kjson.UnmarshalStrict(js, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return Object{}, fmt.Errorf("%s: %s %w", m.Template, tm.Kind, err)
	}
	if len(strict) > 0 {
		return Object{}, fmt.Errorf("%s: %s: %v", m.Template, tm.Kind, strict)
	}
	name := ""
	if a, ok := obj.(interface{ GetName() string }); ok {
		name = a.GetName()
	}
	if name == "" {
		return Object{}, fmt.Errorf("%s: %s without metadata.name", m.Template, tm.Kind)
	}
	return Object{Manifest: m, APIVersion: tm.APIVersion, Kind: tm.Kind, Name: name, Typed: obj}, nil
}

// DecodeAll decodes every manifest; it reports every object that fails.
func DecodeAll(ms []Manifest) ([]Object, error) {
	var objs []Object
	var errs []error
	for _, m := range ms {
		o, err := Decode(m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		objs = append(objs, o)
	}
	if len(errs) > 0 {
		return nil, joinErrors("strict decoding", errs)
	}
	return objs, nil
}

// ServiceMonitor is the part of the Prometheus Operator's ServiceMonitor
// (monitoring.coreos.com/v1) that the chart uses; k8s.io/api has no type
// for it. Decoded strictly like the others, it refuses a field the chart
// has no business writing, or a misspelt one: a field the operator knows
// but that is missing here is added here, checked against the operator's
// documentation.
type ServiceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ServiceMonitorSpec `json:"spec"`
}

// ServiceMonitorSpec is the spec of a ServiceMonitor.
type ServiceMonitorSpec struct {
	JobLabel          string                 `json:"jobLabel,omitempty"`
	Selector          metav1.LabelSelector   `json:"selector"`
	NamespaceSelector *NamespaceSelector     `json:"namespaceSelector,omitempty"`
	Endpoints         []ServiceMonitorScrape `json:"endpoints"`
}

// NamespaceSelector says which namespaces a ServiceMonitor looks in.
type NamespaceSelector struct {
	Any        bool     `json:"any,omitempty"`
	MatchNames []string `json:"matchNames,omitempty"`
}

// ServiceMonitorScrape is one of a ServiceMonitor's endpoints.
type ServiceMonitorScrape struct {
	Port          string             `json:"port,omitempty"`
	Path          string             `json:"path,omitempty"`
	Scheme        string             `json:"scheme,omitempty"`
	Interval      string             `json:"interval,omitempty"`
	ScrapeTimeout string             `json:"scrapeTimeout,omitempty"`
	HonorLabels   bool               `json:"honorLabels,omitempty"`
	Authorization *SafeAuthorization `json:"authorization,omitempty"`
}

// SafeAuthorization is the operator's authorization from a Secret.
type SafeAuthorization struct {
	Type        string                    `json:"type,omitempty"`
	Credentials *corev1.SecretKeySelector `json:"credentials,omitempty"`
}
