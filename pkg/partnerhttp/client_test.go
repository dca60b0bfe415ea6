package partnerhttp

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

const metricName = "provision_partner_retryable_responses_total"

// retried returns the counter's values for one partner, by status.
func retried(t *testing.T, partner string) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(retryableAnswers)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["partner"] == partner {
				out[labels["status"]] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

// answer makes a server that answers every request with status and body.
func answer(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// stalled makes a server that never answers: it reads the request, closes arrived (if not nil)
// and waits until the client goes away or the test ends.
func stalled(t *testing.T, arrived chan struct{}) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		// Reading the whole body lets the server notice the client closing the connection.
		_, _ = io.Copy(io.Discard, r.Body)
		if arrived != nil {
			close(arrived)
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: Close waits for the handler
	return srv
}

func partnerError(code string) string {
	return `{"error":{"code":"` + code + `","message":"refused: ` + code + `"}}`
}

type thing struct {
	ID string `json:"id"`
}

func TestCallClassifiesAnswers(t *testing.T) {
	const html = `<html><body>404 page not found</body></html>`
	tests := []struct {
		name        string
		status      int
		body        string
		out         bool
		wantOut     thing
		wantRefusal string // the Rejection's code; empty: not a refusal
		wantRetried bool   // a plain error, counted under the status
	}{
		{"ok200Decoded", 200, `{"id":"e1"}`, true, thing{ID: "e1"}, "", false},
		{"created201WithoutOut", 201, `{"id":"e1"}`, false, thing{}, "", false},
		{"noContent204WithoutOut", 204, ``, false, thing{}, "", false},
		{"undecodable200Retried", 200, `<html>`, true, thing{}, "", true},
		{"empty200WithOutRetried", 200, ``, true, thing{}, "", true},
		{"badRequestWithCodeRefused", 400, partnerError("INVALID_REQUEST"), false, thing{}, "INVALID_REQUEST", false},
		{"conflictWithCodeRefused", 409, partnerError("ENTITLEMENT_EXISTS"), false, thing{}, "ENTITLEMENT_EXISTS", false},
		{"unprocessableWithCodeRefused", 422, partnerError("IDEMPOTENCY_KEY_REUSED"), false, thing{}, "IDEMPOTENCY_KEY_REUSED", false},
		{"notFoundKnownCodeRefused", 404, partnerError("ENTITLEMENT_NOT_FOUND"), false, thing{}, "ENTITLEMENT_NOT_FOUND", false},
		{"notFoundSecondKnownCodeRefused", 404, partnerError("PRODUCT_NOT_FOUND"), false, thing{}, "PRODUCT_NOT_FOUND", false},
		{"notFoundUnknownCodeRetried", 404, partnerError("NOT_FOUND"), false, thing{}, "", true},
		{"notFoundProxyPageRetried", 404, html, false, thing{}, "", true},
		{"notFoundEmptyRetried", 404, ``, false, thing{}, "", true},
		{"badRequestWithoutCodeRetried", 400, `bad request`, false, thing{}, "", true},
		{"conflictWithoutCodeRetried", 409, `{"error":{"message":"conflict"}}`, false, thing{}, "", true},
		{"unprocessableWithoutCodeRetried", 422, `{}`, false, thing{}, "", true},
		{"unauthorizedWithCodeRetried", 401, partnerError("INVALID_TOKEN"), false, thing{}, "", true},
		{"forbiddenWithCodeRetried", 403, partnerError("FORBIDDEN"), false, thing{}, "", true},
		{"requestTimeoutRetried", 408, partnerError("TIMEOUT"), false, thing{}, "", true},
		{"goneWithCodeRetried", 410, partnerError("GONE"), false, thing{}, "", true},
		{"tooManyRequestsRetried", 429, partnerError("RATE_LIMITED"), false, thing{}, "", true},
		{"internalErrorRetried", 500, partnerError("INTERNAL"), false, thing{}, "", true},
		{"badGatewayPageRetried", 502, `<html>bad gateway</html>`, false, thing{}, "", true},
		{"unavailableRetried", 503, partnerError("INJECTED_FAULT"), false, thing{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			partner := "p-" + tt.name // a partner label of its own: the counter is per process
			srv := answer(t, tt.status, tt.body)
			c := New(Config{Partner: partner, BaseURL: srv.URL, Timeout: 5 * time.Second,
				NotFoundCodes: []string{"ENTITLEMENT_NOT_FOUND", "PRODUCT_NOT_FOUND"}})

			var got thing
			var out any
			if tt.out {
				out = &got
			}
			err := c.Call(t.Context(), http.MethodPost, "/v1/things", "key-1", thing{ID: "e1"}, out)

			rej, isRejection := errors.AsType[*Rejection](err)
			switch {
			case tt.wantRefusal != "":
				if !isRejection {
					t.Fatalf("err = %v, want a *Rejection", err)
				}
				want := Rejection{Partner: partner, Status: tt.status, Code: tt.wantRefusal, Message: "refused: " + tt.wantRefusal}
				if *rej != want {
					t.Fatalf("rejection = %+v, want %+v", *rej, want)
				}
			case tt.wantRetried:
				if err == nil || isRejection {
					t.Fatalf("err = %v, want a plain (retryable) error", err)
				}
			default:
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				if got != tt.wantOut {
					t.Fatalf("out = %+v, want %+v", got, tt.wantOut)
				}
			}

			wantCount := map[string]float64{}
			if tt.wantRetried {
				wantCount[strconv.Itoa(tt.status)] = 1
			}
			if got := retried(t, partner); !maps.Equal(got, wantCount) {
				t.Fatalf("%s = %v, want %v", metricName, got, wantCount)
			}
		})
	}
}

func TestCallSendsTheRequest(t *testing.T) {
	type seen struct {
		method, path, key, contentType, accept, body string
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.Path, r.Header.Get("Idempotency-Key"), r.Header.Get("Content-Type"), r.Header.Get("Accept"), string(b)}
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)

	c := New(Config{Partner: "p-request", BaseURL: srv.URL + "/disney/", Timeout: 5 * time.Second})
	if err := c.Call(t.Context(), http.MethodPut, "/v1/things/e%2F1/products", "cmd-7", thing{ID: "e1"}, nil); err != nil {
		t.Fatal(err)
	}
	want := seen{http.MethodPut, "/disney/v1/things/e/1/products", "cmd-7", "application/json", "application/json", `{"id":"e1"}`}
	if s := <-got; s != want {
		t.Fatalf("partner saw %+v, want %+v", s, want)
	}

	// A read: no body, no key.
	if err := c.Call(t.Context(), http.MethodGet, "/v1/things/e1", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	want = seen{http.MethodGet, "/disney/v1/things/e1", "", "", "application/json", ""}
	if s := <-got; s != want {
		t.Fatalf("partner saw %+v, want %+v", s, want)
	}
}

func TestCallWithoutAnswerIsRetriedAndCounted(t *testing.T) {
	t.Run("connectionRefused", func(t *testing.T) {
		srv := answer(t, http.StatusOK, "")
		url := srv.URL
		srv.Close()
		c := New(Config{Partner: "p-refused", BaseURL: url, Timeout: 5 * time.Second})
		err := c.Call(t.Context(), http.MethodPost, "/v1/things", "k", thing{}, nil)
		if err == nil || errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want a transport error", err)
		}
		if _, ok := errors.AsType[*Rejection](err); ok {
			t.Fatalf("err = %v, want a plain error", err)
		}
		if got := retried(t, "p-refused"); !maps.Equal(got, map[string]float64{"error": 1}) {
			t.Fatalf("%s = %v, want error=1", metricName, got)
		}
	})

	t.Run("clientTimeout", func(t *testing.T) {
		srv := stalled(t, nil)
		c := New(Config{Partner: "p-timeout", BaseURL: srv.URL, Timeout: 50 * time.Millisecond})
		if err := c.Call(t.Context(), http.MethodPost, "/v1/things", "k", thing{}, nil); err == nil {
			t.Fatal("err = nil, want a timeout")
		}
		if got := retried(t, "p-timeout"); !maps.Equal(got, map[string]float64{"error": 1}) {
			t.Fatalf("%s = %v, want error=1", metricName, got)
		}
	})

	t.Run("callerCanceledNotCounted", func(t *testing.T) {
		arrived := make(chan struct{})
		srv := stalled(t, arrived)
		c := New(Config{Partner: "p-canceled", BaseURL: srv.URL, Timeout: 5 * time.Second})
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			<-arrived
			cancel()
		}()
		err := c.Call(ctx, http.MethodPost, "/v1/things", "k", thing{}, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if got := retried(t, "p-canceled"); len(got) != 0 {
			t.Fatalf("%s = %v, want nothing counted when the caller gave up", metricName, got)
		}
	})
}

func TestRetriedAnswersAreOnTheDefaultRegistry(t *testing.T) {
	srv := answer(t, http.StatusServiceUnavailable, "")
	c := New(Config{Partner: "p-default", BaseURL: srv.URL, Timeout: 5 * time.Second})
	for range 2 {
		_ = c.Call(t.Context(), http.MethodGet, "/v1/things/1", "", nil, nil)
	}
	if n, err := testutil.GatherAndCount(prometheus.DefaultGatherer, metricName); err != nil || n == 0 {
		t.Fatalf("%s on the default registry: %d series, %v", metricName, n, err)
	}
	if got := testutil.ToFloat64(retryableAnswers.WithLabelValues("p-default", "503")); got != 2 {
		t.Fatalf("%s{partner=p-default,status=503} = %v, want 2", metricName, got)
	}
}

func TestRejectionMessageIsBounded(t *testing.T) {
	long := strings.Repeat("é", maxMessageBytes) // two bytes each: cut inside a rune
	srv := answer(t, http.StatusConflict, `{"error":{"code":"C","message":"`+long+`"}}`)
	c := New(Config{Partner: "p-long", BaseURL: srv.URL, Timeout: 5 * time.Second})
	rej, ok := errors.AsType[*Rejection](c.Call(t.Context(), http.MethodPost, "/v1/things", "k", thing{}, nil))
	if !ok {
		t.Fatal("want a *Rejection")
	}
	if len(rej.Message) > maxMessageBytes || !strings.HasPrefix(long, rej.Message) || len(rej.Message) < maxMessageBytes-1 {
		t.Fatalf("message of %d bytes, want the first %d bytes cut at a rune boundary", len(rej.Message), maxMessageBytes)
	}
}

func TestCallDurationsAreRecordedByOutcome(t *testing.T) {
	ok := answer(t, http.StatusOK, `{"id":"x"}`)
	refusing := answer(t, http.StatusConflict, partnerError("ALREADY_EXISTS"))
	failing := answer(t, http.StatusServiceUnavailable, "")
	const partner = "p-durations"
	for _, srv := range []*httptest.Server{ok, refusing, refusing, failing} {
		_ = New(Config{Partner: partner, BaseURL: srv.URL}).Call(context.Background(), http.MethodPost, "/things", "k", thing{ID: "x"}, &thing{})
	}
	counts := map[string]uint64{}
	for _, o := range []string{outcomeOK, outcomeRefused, outcomeRetried, outcomeCancelled} {
		var m dto.Metric
		if err := callSeconds.WithLabelValues(partner, o).(prometheus.Histogram).Write(&m); err != nil {
			t.Fatal(err)
		}
		counts[o] = m.GetHistogram().GetSampleCount()
	}
	want := map[string]uint64{outcomeOK: 1, outcomeRefused: 2, outcomeRetried: 1, outcomeCancelled: 0}
	if !reflect.DeepEqual(counts, want) {
		t.Fatalf("call durations by outcome = %v, want %v", counts, want)
	}
}
