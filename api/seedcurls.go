package api

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// SeedCurl is one curl example of the seed documents, tagged with the operation it must reach
// (testdata/seed-curls.sh holds all of them). The document's tests route and validate each; the
// end-to-end suite sends each to the running system.
type SeedCurl struct {
	Operation string
	Method    string
	// Path is the path and query, host dropped and the seeds' placeholders filled in.
	Path    string
	Headers map[string]string
	Body    string
}

var (
	operationTag = regexp.MustCompile(`^# ([a-z][A-Za-z0-9]+)$`)
	curlCommand  = regexp.MustCompile(`^curl -X (\w+) (\S+)`)
	headerOption = regexp.MustCompile(`^-H (['"])([^:]+): (.*)['"]`)
	// The seeds leave placeholders in some paths; they are filled in as a reader would.
	placeholders = strings.NewReplacer(":organization", "masmovil", "{org}", "yoigo", "{id}", "ce2f20cb-35df-4ffe-bca6-c0ed0c28cb39")
)

// ParseSeedCurls reads tagged curl examples the way a shell reads them: quotes around and inside
// the URL are removed, and a body is what curl would send: the text between its quotes. (Seed
// 002 writes its bodies in double quotes with single-quoted strings inside; DecodeJSON reads
// them.)
func ParseSeedCurls(r io.Reader) ([]SeedCurl, error) {
	var (
		curls     []SeedCurl
		operation string
		body      *strings.Builder
		bodyQuote string
	)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if body != nil {
			if line == "}"+bodyQuote || line == "]"+bodyQuote {
				body.WriteString(line[:1])
				curls[len(curls)-1].Body = body.String()
				body = nil
				continue
			}
			body.WriteString(line + "\n")
			continue
		}
		if m := operationTag.FindStringSubmatch(line); m != nil {
			operation = m[1]
			continue
		}
		if m := curlCommand.FindStringSubmatch(line); m != nil {
			url := strings.NewReplacer("'", "", `"`, "").Replace(m[2])
			_, rest, _ := strings.Cut(url, "://")
			_, path, _ := strings.Cut(rest, "/")
			curls = append(curls, SeedCurl{Operation: operation, Method: m[1], Path: "/" + placeholders.Replace(path), Headers: map[string]string{}})
			operation = ""
			continue
		}
		if len(curls) == 0 {
			continue
		}
		if m := headerOption.FindStringSubmatch(line); m != nil {
			curls[len(curls)-1].Headers[m[2]] = m[3]
			continue
		}
		if rest, ok := strings.CutPrefix(line, "--data-raw "); ok {
			bodyQuote = rest[:1]
			body = &strings.Builder{}
			body.WriteString(rest[1:] + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read seed curls: %w", err)
	}
	return curls, nil
}
