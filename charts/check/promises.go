package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The image's user and group (the Dockerfile's nonroot, 65532).
const imageUID = 65532

// shutdownSeconds is how long `inspraak serve` lets requests finish after
// its drain delay (docs/operations.md, section 10).
const shutdownSeconds = 10

// secretEnv are the settings that hold secrets (internal/config): they may
// reach a pod only through a secretKeyRef, never as a value in a manifest.
var secretEnv = map[string]bool{
	"INSPRAAK_DATABASE_URL":              true,
	"INSPRAAK_SESSION_KEY":               true,
	"INSPRAAK_PSEUDONYM_KEY":             true,
	"INSPRAAK_METRICS_TOKEN":             true,
	"INSPRAAK_SMTP_URL":                  true,
	"INSPRAAK_BRP_API_KEY":               true,
	"INSPRAAK_DIGID_CLIENT_SECRET":       true,
	"INSPRAAK_EHERKENNING_CLIENT_SECRET": true,
	"INSPRAAK_STAFF_CLIENT_SECRET":       true,
}

// Names and values that look like secrets although they are not in the
// list: a setting added later, or a secret typed into extraEnv.
var (
	secretName     = regexp.MustCompile(`(?i)(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?)$`)
	urlWithSecret  = regexp.MustCompile(`://[^/@\s]*:[^/@\s]+@`)
	requiredSecret = []string{"INSPRAAK_DATABASE_URL", "INSPRAAK_SESSION_KEY", "INSPRAAK_PSEUDONYM_KEY", "INSPRAAK_METRICS_TOKEN", "INSPRAAK_SMTP_URL"}
)

// Promises checks what the chart promises a Haven cluster, on the objects
// rendered for a PostgreSQL value set (several replicas). It returns one
// line per broken promise, nil when all hold.
func Promises(objs []Object) []string {
	var p problems
	var deps []*appsv1.Deployment
	var pdbs []*policyv1.PodDisruptionBudget
	var hpas []*autoscalingv2.HorizontalPodAutoscaler
	var svcs []*corev1.Service
	var ings []*networkingv1.Ingress
	var nps []*networkingv1.NetworkPolicy
	var sas []*corev1.ServiceAccount
	var sms []*ServiceMonitor
	for _, o := range objs {
		switch t := o.Typed.(type) {
		case *appsv1.Deployment:
			deps = append(deps, t)
		case *policyv1.PodDisruptionBudget:
			pdbs = append(pdbs, t)
		case *autoscalingv2.HorizontalPodAutoscaler:
			hpas = append(hpas, t)
		case *corev1.Service:
			svcs = append(svcs, t)
		case *networkingv1.Ingress:
			ings = append(ings, t)
		case *networkingv1.NetworkPolicy:
			nps = append(nps, t)
		case *corev1.ServiceAccount:
			sas = append(sas, t)
		case *ServiceMonitor:
			sms = append(sms, t)
		case *corev1.Secret:
			p.add("Secret %s: the chart carries no secrets; they come from the existing Secret", o.Name)
		case *corev1.ConfigMap:
			for k, v := range t.Data {
				if secretEnv[k] || urlWithSecret.MatchString(v) {
					p.add("ConfigMap %s: key %s holds a secret", o.Name, k)
				}
			}
		}
	}
	if len(deps) != 1 {
		p.add("want exactly one Deployment, rendered %d", len(deps))
		return p
	}
	d := deps[0]
	pod := &d.Spec.Template
	podLabels := labels.Set(pod.Labels)

	// Replicas: at least two, fixed or through the autoscaler.
	var hpa *autoscalingv2.HorizontalPodAutoscaler
	for _, h := range hpas {
		if h.Spec.ScaleTargetRef.Kind == "Deployment" && h.Spec.ScaleTargetRef.Name == d.Name && h.Spec.ScaleTargetRef.APIVersion == "apps/v1" {
			hpa = h
		} else {
			p.add("HorizontalPodAutoscaler %s scales %s %s, not the Deployment", h.Name, h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name)
		}
	}
	if d.Spec.Replicas != nil && *d.Spec.Replicas < 2 {
		p.add("Deployment %s: want at least 2 replicas, got %d", d.Name, *d.Spec.Replicas)
	}
	switch {
	case hpa != nil:
		if d.Spec.Replicas != nil {
			p.add("Deployment %s sets replicas although the autoscaler %s owns the count (each upgrade would reset it)", d.Name, hpa.Name)
		}
		if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 {
			p.add("HorizontalPodAutoscaler %s: minReplicas must be at least 2", hpa.Name)
		}
		cpu := false
		for _, m := range hpa.Spec.Metrics {
			if m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil && m.Resource.Name == corev1.ResourceCPU {
				cpu = true
			}
		}
		if !cpu {
			p.add("HorizontalPodAutoscaler %s does not scale on CPU", hpa.Name)
		}
	case d.Spec.Replicas == nil:
		p.add("Deployment %s: want at least 2 replicas, got none (the API server's default, 1) and no autoscaler", d.Name)
	}
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
		p.add("Deployment %s: strategy %q, want RollingUpdate", d.Name, d.Spec.Strategy.Type)
	}
	if d.Spec.Selector == nil {
		p.add("Deployment %s has no selector", d.Name)
	} else if sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err != nil || !sel.Matches(podLabels) {
		p.add("Deployment %s: its selector does not match its pods", d.Name)
	}

	// Disruption budget over the same pods.
	if len(pdbs) == 0 {
		p.add("no PodDisruptionBudget: a node drain may take every replica at once")
	}
	for _, b := range pdbs {
		if b.Spec.MinAvailable == nil && b.Spec.MaxUnavailable == nil {
			p.add("PodDisruptionBudget %s has neither minAvailable nor maxUnavailable", b.Name)
		}
		if b.Spec.MinAvailable != nil && b.Spec.MinAvailable.Type == intstr.Int && b.Spec.MinAvailable.IntVal < 1 {
			p.add("PodDisruptionBudget %s: minAvailable below 1 protects nothing", b.Name)
		}
		if !selects(b.Spec.Selector, podLabels) {
			p.add("PodDisruptionBudget %s does not select the Deployment's pods", b.Name)
		}
	}

	p.podSpec(d.Name, &pod.Spec)

	// Service, Ingress, NetworkPolicy, ServiceAccount, ServiceMonitor.
	svcNames := map[string]*corev1.Service{}
	for _, s := range svcs {
		svcNames[s.Name] = s
		if !labels.SelectorFromSet(s.Spec.Selector).Matches(podLabels) || len(s.Spec.Selector) == 0 {
			p.add("Service %s does not select the Deployment's pods", s.Name)
		}
		for _, sp := range s.Spec.Ports {
			if !namesContainerPort(&pod.Spec, sp.TargetPort, 8080) {
				p.add("Service %s port %d targets %s, not the http port 8080", s.Name, sp.Port, sp.TargetPort.String())
			}
		}
	}
	if len(svcs) == 0 {
		p.add("no Service")
	}
	for _, in := range ings {
		tlsHosts := map[string]bool{}
		for _, t := range in.Spec.TLS {
			if t.SecretName == "" {
				p.add("Ingress %s: a TLS entry without secretName", in.Name)
			}
			for _, h := range t.Hosts {
				tlsHosts[h] = true
			}
		}
		for _, r := range in.Spec.Rules {
			if r.Host == "" || !tlsHosts[r.Host] {
				p.add("Ingress %s: host %q is not covered by TLS", in.Name, r.Host)
			}
			if r.HTTP == nil {
				continue
			}
			for _, hp := range r.HTTP.Paths {
				if hp.Backend.Service == nil || svcNames[hp.Backend.Service.Name] == nil {
					p.add("Ingress %s: path %s does not lead to the chart's Service", in.Name, hp.Path)
				}
			}
		}
	}
	for _, np := range nps {
		if !selects(&np.Spec.PodSelector, podLabels) {
			p.add("NetworkPolicy %s does not select the Deployment's pods", np.Name)
		}
		types := map[networkingv1.PolicyType]bool{}
		for _, t := range np.Spec.PolicyTypes {
			types[t] = true
		}
		if !types[networkingv1.PolicyTypeIngress] || !types[networkingv1.PolicyTypeEgress] {
			p.add("NetworkPolicy %s must limit both Ingress and Egress, has %v", np.Name, np.Spec.PolicyTypes)
		}
		for i, r := range np.Spec.Ingress {
			if len(r.From) == 0 {
				p.add("NetworkPolicy %s: ingress rule %d admits every source", np.Name, i)
			}
		}
		dns := false
		for _, r := range np.Spec.Egress {
			if len(r.Ports) == 0 && len(r.To) == 0 {
				p.add("NetworkPolicy %s: an egress rule that allows everything", np.Name)
			}
			for _, port := range r.Ports {
				if port.Port != nil && port.Port.IntValue() == 53 {
					dns = true
				}
			}
		}
		if !dns {
			p.add("NetworkPolicy %s: no egress to DNS (port 53): nothing would resolve", np.Name)
		}
	}
	saName := pod.Spec.ServiceAccountName
	for _, sa := range sas {
		if sa.Name == saName && (sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken) {
			p.add("ServiceAccount %s mounts its token: set automountServiceAccountToken: false", sa.Name)
		}
	}
	for _, sm := range sms {
		if !selects(&sm.Spec.Selector, labels.Set(firstService(svcs).Labels)) {
			p.add("ServiceMonitor %s does not select the chart's Service", sm.Name)
		}
		for _, ep := range sm.Spec.Endpoints {
			if ep.Path != "/metrics" {
				p.add("ServiceMonitor %s scrapes %q, not /metrics", sm.Name, ep.Path)
			}
			if ep.Authorization == nil || ep.Authorization.Credentials == nil || ep.Authorization.Credentials.Name == "" {
				p.add("ServiceMonitor %s: no bearer token from a Secret (production serves /metrics only with the token)", sm.Name)
			}
		}
	}
	return p
}

// podSpec checks the pod's security settings, probes, preStop pause and
// environment.
func (p *problems) podSpec(name string, s *corev1.PodSpec) {
	if s.AutomountServiceAccountToken == nil || *s.AutomountServiceAccountToken {
		p.add("Deployment %s: the pods mount a service account token (automountServiceAccountToken must be false)", name)
	}
	if s.HostNetwork || s.HostPID || s.HostIPC {
		p.add("Deployment %s: host network, PID or IPC namespace", name)
	}
	for _, v := range s.Volumes {
		if v.HostPath != nil {
			p.add("Deployment %s: volume %s is a hostPath", name, v.Name)
		}
	}
	podSeccomp := s.SecurityContext != nil && s.SecurityContext.SeccompProfile != nil &&
		s.SecurityContext.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault
	all := append(append([]corev1.Container{}, s.InitContainers...), s.Containers...)
	for i := range all {
		p.container(name, &all[i], podSeccomp)
	}
	var app *corev1.Container
	for i := range s.Containers {
		if s.Containers[i].Name == "inspraak" {
			app = &s.Containers[i]
		}
	}
	if app == nil {
		p.add("Deployment %s: no container named inspraak", name)
		return
	}
	p.probe(name, "readinessProbe", app.ReadinessProbe, "/readyz", s)
	p.probe(name, "livenessProbe", app.LivenessProbe, "/healthz", s)
	if app.StartupProbe != nil {
		p.probe(name, "startupProbe", app.StartupProbe, "/healthz", s)
	}
	sleep := int64(0)
	if app.Lifecycle == nil || app.Lifecycle.PreStop == nil || app.Lifecycle.PreStop.Sleep == nil || app.Lifecycle.PreStop.Sleep.Seconds < 1 {
		p.add("Deployment %s: no preStop sleep: the load balancer would still send requests to a stopping pod", name)
	} else {
		sleep = app.Lifecycle.PreStop.Sleep.Seconds
		if app.Lifecycle.PreStop.Exec != nil {
			p.add("Deployment %s: a preStop exec needs a shell the image does not have", name)
		}
	}
	grace := int64(30) // Kubernetes' default
	if s.TerminationGracePeriodSeconds != nil {
		grace = *s.TerminationGracePeriodSeconds
	}
	drain := 5 * time.Second // production's default INSPRAAK_DRAIN_DELAY
	for _, e := range app.Env {
		if e.Name == "INSPRAAK_DRAIN_DELAY" {
			d, err := time.ParseDuration(e.Value)
			if err != nil {
				p.add("Deployment %s: INSPRAAK_DRAIN_DELAY %q is no duration", name, e.Value)
			}
			drain = d
		}
	}
	if need := sleep + int64(drain/time.Second) + shutdownSeconds; grace <= need {
		p.add("Deployment %s: terminationGracePeriodSeconds %d does not exceed the preStop sleep (%d s), the drain delay (%s) and the %d s for requests in flight", name, grace, sleep, drain, shutdownSeconds)
	}
	if app.Resources.Requests.Cpu().IsZero() || app.Resources.Requests.Memory().IsZero() || app.Resources.Limits.Memory().IsZero() {
		p.add("Deployment %s: container inspraak needs CPU and memory requests and a memory limit", name)
	}
	seen := map[string]bool{}
	for _, e := range app.Env {
		if seen[e.Name] {
			p.add("Deployment %s: env %s is set twice", name, e.Name)
		}
		seen[e.Name] = true
		secretByRef := e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name != "" && e.ValueFrom.SecretKeyRef.Key != ""
		switch {
		case e.Name == "INSPRAAK_DATABASE_URL" && e.ValueFrom == nil && strings.HasPrefix(e.Value, "sqlite:"):
			// A file path on the pod's volume, not a secret.
		case secretEnv[e.Name] && !secretByRef:
			p.add("Deployment %s: env %s holds a secret and must come from the existing Secret (secretKeyRef)", name, e.Name)
		case e.ValueFrom == nil && e.Value != "" && (secretName.MatchString(e.Name) || urlWithSecret.MatchString(e.Value)):
			p.add("Deployment %s: env %s looks like a secret written into the manifest", name, e.Name)
		}
	}
	for _, r := range requiredSecret {
		if !seen[r] {
			p.add("Deployment %s: env %s is missing (production refuses to start without it)", name, r)
		}
	}
	for _, ef := range app.EnvFrom {
		if ef.ConfigMapRef != nil {
			p.add("Deployment %s: envFrom a ConfigMap escapes the check on secrets", name)
		}
	}
}

// container checks one container's securityContext and image.
func (p *problems) container(pod string, c *corev1.Container, podSeccomp bool) {
	where := fmt.Sprintf("Deployment %s container %s", pod, c.Name)
	sc := c.SecurityContext
	if sc == nil {
		p.add("%s: no securityContext", where)
		return
	}
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		p.add("%s: runAsNonRoot must be true", where)
	}
	if sc.RunAsUser == nil || *sc.RunAsUser != imageUID || sc.RunAsGroup == nil || *sc.RunAsGroup != imageUID {
		p.add("%s: runAsUser and runAsGroup must be %d (the image's user)", where, imageUID)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		p.add("%s: readOnlyRootFilesystem must be true", where)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		p.add("%s: allowPrivilegeEscalation must be false", where)
	}
	if sc.Privileged != nil && *sc.Privileged {
		p.add("%s: privileged", where)
	}
	dropAll := false
	if sc.Capabilities != nil {
		for _, d := range sc.Capabilities.Drop {
			dropAll = dropAll || d == "ALL"
		}
		if len(sc.Capabilities.Add) > 0 {
			p.add("%s: adds capabilities %v", where, sc.Capabilities.Add)
		}
	}
	if !dropAll {
		p.add("%s: capabilities must drop ALL", where)
	}
	seccomp := podSeccomp
	if sc.SeccompProfile != nil {
		seccomp = sc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault
	}
	if !seccomp {
		p.add("%s: seccompProfile must be RuntimeDefault", where)
	}
	if c.Image == "" || strings.HasSuffix(c.Image, ":latest") || (!strings.Contains(c.Image, "@sha256:") && !strings.Contains(c.Image[strings.LastIndex(c.Image, "/")+1:], ":")) {
		p.add("%s: image %q needs a fixed tag or a digest", where, c.Image)
	}
}

// probe checks that a probe GETs path on the http port (8080).
func (p *problems) probe(pod, kind string, pr *corev1.Probe, want string, s *corev1.PodSpec) {
	if pr == nil || pr.HTTPGet == nil {
		p.add("Deployment %s: no %s with httpGet %s", pod, kind, want)
		return
	}
	if pr.HTTPGet.Path != want {
		p.add("Deployment %s: %s GETs %q, want %s", pod, kind, pr.HTTPGet.Path, want)
	}
	if !namesContainerPort(s, pr.HTTPGet.Port, 8080) {
		p.add("Deployment %s: %s on port %s, want the http port 8080", pod, kind, pr.HTTPGet.Port.String())
	}
}

// namesContainerPort tells whether port (a number or a port name) is the
// container port want of some container in s.
func namesContainerPort(s *corev1.PodSpec, port intstr.IntOrString, want int32) bool {
	for _, c := range s.Containers {
		for _, cp := range c.Ports {
			if cp.ContainerPort != want {
				continue
			}
			if (port.Type == intstr.Int && port.IntVal == want) || (port.Type == intstr.String && port.StrVal == cp.Name && cp.Name != "") {
				return true
			}
		}
	}
	return false
}

func selects(sel *metav1.LabelSelector, set labels.Set) bool {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(set)
}

func firstService(svcs []*corev1.Service) *corev1.Service {
	if len(svcs) == 0 {
		return &corev1.Service{}
	}
	return svcs[0]
}

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func joinErrors(what string, errs []error) error {
	var b strings.Builder
	b.WriteString(what + ":")
	for _, e := range errs {
		b.WriteString("\n  " + e.Error())
	}
	return errors.New(b.String())
}
