package events

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// The README's payload examples are what integrators copy: each "### `<type>`" section's json
// block must validate against that type's schema, and every type must have such a section.
func TestREADME_PayloadExamplesValidate(t *testing.T) {
	f, err := os.Open("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	examples := map[string]string{}
	var section, block string
	inBlock := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case inBlock && strings.HasPrefix(line, "```"):
			inBlock = false
			if section != "" {
				if _, dup := examples[section]; !dup {
					examples[section] = block
				}
			}
		case inBlock:
			block += line + "\n"
		case strings.HasPrefix(line, "```json"):
			inBlock, block = true, ""
		case strings.HasPrefix(line, "#"):
			section = ""
			if typ, ok := strings.CutPrefix(line, "### `"); ok {
				section = strings.TrimSuffix(typ, "`")
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, typ := range Types() {
		ex, ok := examples[typ]
		if !ok {
			t.Errorf("README has no json example under a heading ### `%s`", typ)
			continue
		}
		if err := Validate(typ, []byte(ex)); err != nil {
			t.Errorf("README example of %s: %v", typ, err)
		}
	}
	for typ := range examples {
		if !Known(typ) {
			t.Errorf("README documents %q, which is not in the catalog", typ)
		}
	}
}
