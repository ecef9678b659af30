package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ValueSet is a named values file the chart must render and keep its
// promises for.
type ValueSet struct {
	Name, File string
}

// Sets are the value sets CI renders: the chart's defaults with only the
// required values given, and a production-like set.
var Sets = []ValueSet{
	{"default (only the required values set)", "testdata/required.yaml"},
	{"production-like", "testdata/production.yaml"},
}

// schemaRefusal begins helm's message for values the schema refuses.
const schemaRefusal = "values don't meet the specifications of the schema"

func main() {
	// helm's engine logs each fail() at INFO; the refusals print their own line.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	show := flag.String("show", "", "print the manifests rendered with this values file instead of checking")
	start := flag.String("start", "", "after the checks, start this inspraak binary with the Deployment's environment (default values) and wait for /readyz 200")
	database := flag.String("database", "", "with -start: the PostgreSQL URL the started binary uses")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: chartcheck [-show values.yaml] [chart dir (default ../inspraak)]")
		flag.PrintDefaults()
	}
	flag.Parse()
	chartDir := "../inspraak"
	if flag.NArg() > 0 {
		chartDir = flag.Arg(0)
	}
	if *show != "" {
		if err := showManifests(chartDir, *show); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := run(chartDir); err != nil {
		fmt.Fprintln(os.Stderr, "chart check failed:", err)
		os.Exit(1)
	}
	if *start != "" {
		if *database == "" {
			fmt.Fprintln(os.Stderr, "-start needs -database")
			os.Exit(2)
		}
		msg, err := StartWithChartEnv(chartDir, Sets[0].File, *start, *database)
		if err != nil {
			fmt.Fprintln(os.Stderr, "inspraak did not start with the chart's environment:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: started %s with the Deployment's environment: %s\n", Sets[0].Name, *start, msg)
	}
}

func run(chartDir string) error {
	for _, s := range Sets {
		n, kinds, err := CheckSet(chartDir, s.File)
		if err != nil {
			return fmt.Errorf("%s (%s): %w", s.Name, s.File, err)
		}
		fmt.Printf("%s, %s: helm lint clean; rendered %s; decoded strictly: %d objects; promises kept\n", s.Name, s.File, kinds, n)
	}
	refused, err := filepath.Glob("testdata/refused/*.yaml")
	if err != nil {
		return err
	}
	if len(refused) == 0 {
		return fmt.Errorf("no values files in testdata/refused: the schema's refusals would go unchecked")
	}
	for _, f := range refused {
		msg, err := CheckRefused(chartDir, f)
		if err != nil {
			return err
		}
		fmt.Printf("refused as it should be: %s: %s\n", f, msg)
	}
	return nil
}

// CheckSet lints and renders the chart with the values in file, decodes
// every object strictly and checks the promises. It returns the number of
// objects and their kinds.
func CheckSet(chartDir, file string) (int, string, error) {
	vals, err := Values(file)
	if err != nil {
		return 0, "", err
	}
	if err := Lint(chartDir, vals); err != nil {
		return 0, "", err
	}
	ms, err := Render(chartDir, vals)
	if err != nil {
		return 0, "", err
	}
	objs, err := DecodeAll(ms)
	if err != nil {
		return 0, "", err
	}
	probs := Promises(objs)
	unknown, err := UnknownSettings(objs)
	if err != nil {
		return 0, "", err
	}
	probs = append(probs, unknown...)
	if len(probs) > 0 {
		return 0, "", fmt.Errorf("broken promises:\n  %s", strings.Join(probs, "\n  "))
	}
	return len(objs), Kinds(objs), nil
}

// Kinds lists the rendered kinds, e.g. "Deployment, Service x2".
func Kinds(objs []Object) string {
	count := map[string]int{}
	for _, o := range objs {
		count[o.Kind]++
	}
	var ks []string
	for k, n := range count {
		if n > 1 {
			k = fmt.Sprintf("%s x%d", k, n)
		}
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// CheckRefused renders the chart with a values file that must be refused
// and checks that it is, with the message its "# want: ..." line names.
func CheckRefused(chartDir, file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var want string
	for _, line := range strings.Split(string(b), "\n") {
		if w, ok := strings.CutPrefix(line, "# want: "); ok {
			want = strings.TrimSpace(w)
		}
	}
	if want == "" {
		return "", fmt.Errorf("%s: no '# want: <part of the message>' line", file)
	}
	vals, err := Values(file)
	if err != nil {
		return "", err
	}
	_, rerr := Render(chartDir, vals)
	if rerr == nil {
		return "", fmt.Errorf("%s: the chart rendered values it should refuse (want %q)", file, want)
	}
	if !strings.Contains(rerr.Error(), want) {
		return "", fmt.Errorf("%s: refused, but not with %q:\n%v", file, want, rerr)
	}
	// helm lint checks values against the schema, but only logs a
	// template's fail (its lint mode): what the schema refuses, lint
	// must refuse too.
	by := "the templates"
	if strings.Contains(rerr.Error(), schemaRefusal) {
		by = "the schema"
		if Lint(chartDir, vals) == nil {
			return "", fmt.Errorf("%s: helm lint passes values that the schema refuses", file)
		}
	}
	return fmt.Sprintf("by %s, %q", by, want), nil
}

// showManifests prints what the chart renders for a values file.
func showManifests(chartDir, file string) error {
	vals, err := Values(file)
	if err != nil {
		return err
	}
	ms, err := Render(chartDir, vals)
	if err != nil {
		return err
	}
	for _, m := range ms {
		fmt.Printf("---\n# Source: %s\n%s\n", m.Template, strings.TrimSpace(string(m.YAML)))
	}
	return nil
}
