// Command bundle_init_reference renders a `databricks bundle init` template the way the Databricks CLI
// does, using only Go's standard library. It exists so the tests can check our template against the CLI's
// documented rules on machines where the CLI cannot be installed.
//
// Usage: bundle_init_reference -template DIR -config FILE -output DIR
//
// Rules implemented (CLI behaviour, re-implemented from its documentation):
//   - values come from --config-file (unknown keys dropped, strict types, enum and unanchored pattern
//     checked), then from each property's default (string defaults rendered as templates, in order);
//     every property must end with a value;
//   - every file under library/ is parsed for {{define}}s;
//   - template/ is walked breadth-first, files of a directory before its subdirectories, names sorted;
//     every path is rendered; only *.tmpl contents are rendered, and the suffix is dropped; other files
//     are copied byte for byte; templates run with missingkey=error;
//   - {{skip "glob"}} joins the glob to the calling file's source directory, renders it, and matches
//     rendered output paths with path.Match: skipped directories are not walked, skipped files not written;
//   - if any output file exists, nothing is written;
//   - welcome_message is printed before and success_message after, both rendered.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

type property struct {
	Type                       string        `json:"type"`
	Description                string        `json:"description"`
	Default                    interface{}   `json:"default"`
	Enum                       []interface{} `json:"enum"`
	Pattern                    string        `json:"pattern"`
	PatternMatchFailureMessage string        `json:"pattern_match_failure_message"`
	Order                      *int          `json:"order"`
}

type schema struct {
	Properties     map[string]property `json:"properties"`
	WelcomeMessage string              `json:"welcome_message"`
	SuccessMessage string              `json:"success_message"`
}

type renderer struct {
	base      *template.Template
	values    map[string]interface{}
	skipGlobs []string
}

func main() {
	templateDir := flag.String("template", "", "template root (holds databricks_template_schema.json)")
	configFile := flag.String("config", "", "JSON file of answers (like --config-file)")
	outputDir := flag.String("output", ".", "where to write the project")
	flag.Parse()
	if err := run(*templateDir, *configFile, *outputDir); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(root, configFile, outputDir string) error {
	raw, err := os.ReadFile(filepath.Join(root, "databricks_template_schema.json"))
	if err != nil {
		return fmt.Errorf("not a bundle template: expected to find a template schema file at databricks_template_schema.json")
	}
	var s schema
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("failed to load schema: %w", err)
	}
	r := &renderer{values: map[string]interface{}{}}
	if err := r.loadLibrary(root); err != nil {
		return err
	}
	if configFile != "" {
		if err := r.assignFromFile(s, configFile); err != nil {
			return fmt.Errorf("failed to load config from file %s: %w", configFile, err)
		}
	}
	if s.WelcomeMessage != "" {
		msg, err := r.execute(s.WelcomeMessage)
		if err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, msg)
	}
	if err := r.assignDefaults(s); err != nil {
		return err
	}
	files, err := r.walk(filepath.Join(root, "template"))
	if err != nil {
		return err
	}
	if err := persist(files, r.skipGlobs, outputDir); err != nil {
		return err
	}
	if s.SuccessMessage != "" {
		msg, err := r.execute(s.SuccessMessage)
		if err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, msg)
	}
	return nil
}

func (r *renderer) loadLibrary(root string) error {
	funcs := template.FuncMap{
		"fail": func(format string, args ...interface{}) (string, error) {
			return "", fmt.Errorf(format, args...)
		},
		// Registered for parsing; the walk replaces it with one that knows the calling file.
		"skip": func(string) (string, error) { return "", errors.New("skip is only allowed inside template/") },
	}
	base := template.New("").Funcs(funcs)
	matches, _ := filepath.Glob(filepath.Join(root, "library", "*"))
	if len(matches) > 0 {
		var err error
		if base, err = base.ParseFiles(matches...); err != nil {
			return err
		}
	}
	r.base = base
	return nil
}

// execute renders text with a fresh clone of the base template and missingkey=error, as the CLI does for
// every path and file.
func (r *renderer) execute(text string) (string, error) {
	return r.executeWith(text, nil)
}

func (r *renderer) executeWith(text string, funcs template.FuncMap) (string, error) {
	t, err := r.base.Clone()
	if err != nil {
		return "", err
	}
	if funcs != nil {
		t = t.Funcs(funcs)
	}
	t, err = t.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	if err := t.Execute(&out, r.values); err != nil {
		return "", err
	}
	return out.String(), nil
}

func orderedNames(s schema) []string {
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := s.Properties[names[i]], s.Properties[names[j]]
		switch {
		case a.Order != nil && b.Order != nil && *a.Order != *b.Order:
			return *a.Order < *b.Order
		case a.Order != nil && b.Order == nil:
			return true
		case a.Order == nil && b.Order != nil:
			return false
		}
		return names[i] < names[j]
	})
	return names
}

func (r *renderer) assignFromFile(s schema, configFile string) error {
	raw, err := os.ReadFile(configFile)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var config map[string]interface{}
	if err := dec.Decode(&config); err != nil {
		return err
	}
	for _, name := range orderedNames(s) {
		v, ok := config[name]
		if !ok {
			continue
		}
		typed, err := checkType(name, s.Properties[name].Type, v)
		if err != nil {
			return err
		}
		if err := validate(name, s.Properties[name], typed); err != nil {
			return err
		}
		r.values[name] = typed
	}
	return nil
}

func checkType(name, typ string, v interface{}) (interface{}, error) {
	bad := fmt.Errorf("incorrect type for property %s: expected type %s, but value is %#v", name, typ, v)
	switch typ {
	case "string":
		if s, ok := v.(string); ok {
			return s, nil
		}
	case "boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case "integer":
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
		}
	case "number":
		if n, ok := v.(json.Number); ok {
			if f, err := n.Float64(); err == nil {
				return f, nil
			}
		}
	}
	return nil, bad
}

func validate(name string, p property, v interface{}) error {
	if len(p.Enum) > 0 {
		found := false
		for _, e := range p.Enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("expected value of property %s to be one of %v. Found: %v", name, p.Enum, v)
		}
	}
	if p.Pattern != "" {
		str, _ := v.(string)
		re, err := regexp.Compile(p.Pattern)
		if err != nil {
			return err
		}
		if !re.MatchString(str) {
			msg := fmt.Sprintf("invalid value for %s: %q.", name, str)
			if p.PatternMatchFailureMessage != "" {
				msg += " " + p.PatternMatchFailureMessage
			} else {
				msg += fmt.Sprintf(" Expected to match regex pattern: %s", p.Pattern)
			}
			return errors.New(msg)
		}
	}
	return nil
}

func (r *renderer) assignDefaults(s schema) error {
	for _, name := range orderedNames(s) {
		if _, ok := r.values[name]; ok {
			continue
		}
		p := s.Properties[name]
		if p.Default == nil {
			return fmt.Errorf("validation for template input parameters failed. no value provided for required property %s", name)
		}
		v := p.Default
		if str, ok := v.(string); ok {
			rendered, err := r.execute(str)
			if err != nil {
				return err
			}
			v = rendered
		}
		if err := validate(name, p, v); err != nil {
			return fmt.Errorf("validation for template input parameters failed. %w", err)
		}
		r.values[name] = v
	}
	return nil
}

type outFile struct {
	relPath string
	content []byte
	perm    os.FileMode
}

func (r *renderer) walk(templateRoot string) ([]outFile, error) {
	var files []outFile
	queue := []string{"."}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		renderedDir, err := r.execute(dir)
		if err != nil {
			return nil, err
		}
		if r.isSkipped(renderedDir) {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(templateRoot, dir))
		if err != nil {
			return nil, err
		}
		var subdirs []string
		for _, e := range entries { // os.ReadDir sorts by name
			src := path.Join(dir, e.Name())
			if e.IsDir() {
				subdirs = append(subdirs, src)
				continue
			}
			f, err := r.computeFile(templateRoot, src)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
		queue = append(queue, subdirs...)
	}
	return files, nil
}

func (r *renderer) computeFile(templateRoot, src string) (outFile, error) {
	info, err := os.Stat(filepath.Join(templateRoot, src))
	if err != nil {
		return outFile{}, err
	}
	relPath, err := r.execute(src)
	if err != nil {
		return outFile{}, err
	}
	content, err := os.ReadFile(filepath.Join(templateRoot, src))
	if err != nil {
		return outFile{}, err
	}
	perm := info.Mode().Perm() | 0o200
	if !strings.HasSuffix(src, ".tmpl") {
		return outFile{relPath: relPath, content: content, perm: perm}, nil
	}
	skip := func(glob string) (string, error) {
		pattern, err := r.execute(path.Join(path.Dir(src), glob))
		if err != nil {
			return "", err
		}
		r.skipGlobs = append(r.skipGlobs, pattern)
		return "", nil
	}
	text, err := r.executeWith(string(content), template.FuncMap{"skip": skip})
	if err != nil {
		return outFile{}, fmt.Errorf("failed to compute file content for %s. %w", src, err)
	}
	return outFile{relPath: strings.TrimSuffix(relPath, ".tmpl"), content: []byte(text), perm: perm}, nil
}

func (r *renderer) isSkipped(relPath string) bool {
	return matchesAny(r.skipGlobs, relPath)
}

func matchesAny(globs []string, relPath string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, relPath); ok {
			return true
		}
	}
	return false
}

func persist(files []outFile, skipGlobs []string, outputDir string) error {
	var kept []outFile
	for _, f := range files {
		if !matchesAny(skipGlobs, f.relPath) {
			kept = append(kept, f)
		}
	}
	for _, f := range kept {
		target := filepath.Join(outputDir, filepath.FromSlash(f.relPath))
		if _, err := os.Stat(target); err == nil {
			return fmt.Errorf("failed to initialize template, one or more files already exist: %s", target)
		}
	}
	for _, f := range kept {
		target := filepath.Join(outputDir, filepath.FromSlash(f.relPath))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, f.content, f.perm); err != nil {
			return err
		}
	}
	return nil
}
