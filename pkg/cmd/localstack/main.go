// Command localstack runs the whole system on this machine without Docker: the embedded
// Kafka-protocol broker and MongoDB-wire server in this process, and partnersim, disney, netflix,
// hbo, insurance and ingress as child processes from prebuilt binaries (make build). Ctrl-C stops everything.
//
//	localstack [-data ./.data] [-bin ./bin]
//
// LOCALSTACK_DATA_DIR and LOCALSTACK_BIN_DIR set the same as the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"provision.local/pkg/localstack"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "localstack:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("localstack", flag.ContinueOnError)
	dataDir := fs.String("data", envOr("LOCALSTACK_DATA_DIR", "./.data"), "data directory (kafka/ and mongo/ inside); env LOCALSTACK_DATA_DIR")
	binDir := fs.String("bin", envOr("LOCALSTACK_BIN_DIR", "./bin"), "directory with the service binaries; env LOCALSTACK_BIN_DIR")
	if err := fs.Parse(args); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	stack, err := localstack.Start(ctx, localstack.Config{DataDir: *dataDir, BinDir: *binDir, Out: out})
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return nil // interrupted while starting; Start has stopped what it started
		}
		return err
	}
	printBanner(out, stack)

	<-ctx.Done()
	// A second Ctrl-C now ends the process at once; the children then get SIGTERM from the kernel.
	stop()
	fmt.Fprintln(out, "\nstopping...")
	stack.Stop()
	return nil
}

func printBanner(w io.Writer, s *localstack.Stack) {
	fmt.Fprintf(w, `
provision is running locally. Ctrl-C stops it.

  ingress (public API)   %s
  disney (internal API)  %s
  netflix (internal API) %s
  hbo (internal API)     %s
  insurance (internal)   %s
  partnersim             %s
  Kafka                  %s
  MongoDB                %s

Local tokens:
  Authorization: Bearer dev-masmovil   (org masmovil)
  Authorization: Bearer dev-yoigo      (org yoigo)

Try:
  curl -X POST '%s/v2/orgs/masmovil/tv/disney/users/MOO1664367665504' \
    -H 'Authorization: Bearer dev-masmovil' \
    -H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
    -H 'Content-Type: application/json' -H 'Accept: application/json' \
    --data-raw '{"subscriptionId":"ENT1664367665579","products":["com.disney.yoigo.es.bundle.basic","com.disney.yoigo.es.bundle.premium"]}'

  curl '%s/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/ENT1664367665579' \
    -H 'Authorization: Bearer dev-masmovil' \
    -H 'Request-Correlation-Id: 5f1c2a9e-8d3b-4c1e-9a7f-2b6d4e8c0a13' \
    -H 'Accept: application/json'

`,
		s.URL(localstack.Ingress), s.URL(localstack.Disney), s.URL(localstack.Netflix),
		s.URL(localstack.HBO), s.URL(localstack.Insurance), s.URL(localstack.Partnersim),
		s.BrokerAddr(), s.MongoURI(), s.URL(localstack.Ingress), s.URL(localstack.Ingress))
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
