// Command asyncapi writes the AsyncAPI document of the events catalog (make generate).
package main

import (
	"flag"
	"fmt"
	"os"

	"provision.local/events/internal/asyncapi"
)

func main() {
	out := flag.String("o", "asyncapi.yaml", "the file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(out string) error {
	b, err := asyncapi.Build()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}
