// helm-render: a small stand-in for `helm template`, for tests only.
//
// It uses the same template machinery as Helm 3: Go's text/template with the sprig function
// library, Helm's extra functions (include, tpl, required, fail, toYaml, fromYaml, toJson,
// fromJson, lookup), "missingkey=zero" with "<no value>" removed, and the same context names
// (.Values, .Release, .Chart, .Files). Values files are deep-merged over values.yaml as Helm
// does (null removes a key). It does not do dependencies, hooks, .Capabilities or schema
// validation (the vitest suite checks values.schema.json with ajv).
//
// Usage: helm-render CHART_DIR [-f values.yaml]... [-t extra-template.yaml]... [-notes]
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// Files gives templates .Files.Get, reading below the chart directory.
type Files struct{ dir string }

func (f Files) Get(name string) string {
	b, err := os.ReadFile(filepath.Join(f.dir, filepath.Clean("/"+name)))
	if err != nil {
		return ""
	}
	return string(b)
}

func merge(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sm, sok := v.(map[string]interface{})
		dm, dok := dst[k].(map[string]interface{})
		if sok && dok {
			dst[k] = merge(dm, sm)
		} else {
			dst[k] = v
		}
	}
	return dst
}

func readYAML(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

func funcs(t **template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	f["include"] = func(name string, data interface{}) (string, error) {
		var b strings.Builder
		err := (*t).ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		c, err := (*t).Clone()
		if err != nil {
			return "", err
		}
		c, err = c.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		err = c.Execute(&b, data)
		return strings.ReplaceAll(b.String(), "<no value>", ""), err
	}
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	f["fail"] = func(msg string) (string, error) { return "", errors.New(msg) }
	f["toYaml"] = func(v interface{}) string {
		b, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(b), "\n")
	}
	f["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["toJson"] = func(v interface{}) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	f["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	return f
}

func run(args []string) error {
	if len(args) < 1 {
		return errors.New("usage: helm-render CHART_DIR [-f values.yaml]... [-t template.yaml]... [-notes]")
	}
	chartDir := args[0]
	var valueFiles, extra []string
	notes := false
	for i := 1; i < len(args); i++ {
		switch {
		case args[i] == "-f" && i+1 < len(args):
			i++
			valueFiles = append(valueFiles, args[i])
		case args[i] == "-t" && i+1 < len(args):
			i++
			extra = append(extra, args[i])
		case args[i] == "-notes":
			notes = true
		default:
			return fmt.Errorf("unknown argument %q", args[i])
		}
	}
	chart, err := readYAML(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	values, err := readYAML(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	for _, vf := range valueFiles {
		v, err := readYAML(vf)
		if err != nil {
			return err
		}
		values = merge(values, v)
	}
	name, _ := chart["name"].(string)
	ctx := map[string]interface{}{
		"Values":  values,
		"Release": map[string]interface{}{"Name": "release", "Namespace": "signet", "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Chart":   map[string]interface{}{"Name": name, "Version": chart["version"], "AppVersion": chart["appVersion"]},
		"Files":   Files{dir: chartDir},
	}

	var t *template.Template
	t = template.New("gotpl").Option("missingkey=zero").Funcs(funcs(&t))
	files, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		return err
	}
	files = append(files, extra...)
	sort.Strings(files)
	var names []string
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		n := name + "/templates/" + filepath.Base(file)
		if _, err := t.New(n).Parse(string(b)); err != nil {
			return err
		}
		base := filepath.Base(file)
		if strings.HasPrefix(base, "_") || (base == "NOTES.txt") != notes {
			continue
		}
		names = append(names, n)
	}
	var out strings.Builder
	for _, n := range names {
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, n, ctx); err != nil {
			return err
		}
		text := strings.ReplaceAll(b.String(), "<no value>", "")
		if strings.TrimSpace(text) == "" {
			continue
		}
		if !notes {
			fmt.Fprintf(&out, "---\n# Source: %s\n", n)
		}
		out.WriteString(strings.TrimLeft(text, "\n"))
		out.WriteString("\n")
	}
	_, err = os.Stdout.WriteString(out.String())
	return err
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
