package httpx_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"provision.local/pkg/httpx"
	"provision.local/pkg/logging"
)

// syncBuffer is a log sink safe for the server goroutines of the Serve tests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines decodes the JSON log lines written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func newEngine(t *testing.T, limit int64) (*gin.Engine, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	log := logging.NewWithOutput("test", "debug", out)
	return httpx.NewEngine(httpx.Options{Service: "test-" + t.Name(), Log: log, BodyLimit: limit}), out
}

func do(h http.Handler, method, target, body string, header http.Header) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	for k, vs := range header {
		req.Header[k] = vs
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// seedBody decodes the seed's error array and fails the test when the body is not one.
func seedBody(t *testing.T, w *httptest.ResponseRecorder) []httpx.Error {
	t.Helper()
	var errs []httpx.Error
	if err := json.Unmarshal(w.Body.Bytes(), &errs); err != nil || len(errs) == 0 {
		t.Fatalf("body %q is not a non-empty error array: %v", w.Body.String(), err)
	}
	for _, e := range errs {
		if e.Code == "" || e.Title == "" || e.Details == "" {
			t.Fatalf("incomplete error %+v", e)
		}
	}
	return errs
}

func TestEngineErrors(t *testing.T) {
	e, logs := newEngine(t, 0)
	e.GET("/things/:id", func(c *gin.Context) { c.Status(http.StatusOK) })
	e.GET("/panic", func(*gin.Context) { panic("boom 600111222") })

	tests := []struct {
		name     string
		method   string
		target   string
		status   int
		code     string
		checkLog func(t *testing.T, line map[string]any)
	}{
		{name: "unknownRoute404", method: http.MethodGet, target: "/nope", status: http.StatusNotFound, code: httpx.CodeNotFound},
		{name: "wrongMethod405", method: http.MethodPost, target: "/things/1", status: http.StatusMethodNotAllowed, code: httpx.CodeMethodNotAllowed},
		{
			name: "panic500", method: http.MethodGet, target: "/panic", status: http.StatusInternalServerError, code: httpx.CodeInternal,
			checkLog: func(t *testing.T, line map[string]any) {
				if line["level"] != "error" || !strings.Contains(line["stack"].(string), "engine_test.go") {
					t.Errorf("access line lacks the panic's stack: %v", line)
				}
				if line["error"] != "panic: boom [REDACTED]" {
					t.Errorf("error = %v, want the redacted panic value", line["error"])
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(logs.lines(t))
			w := do(e, tc.method, tc.target, "", nil)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d (body %s)", w.Code, tc.status, w.Body)
			}
			if errs := seedBody(t, w); errs[0].Code != tc.code {
				t.Errorf("code = %q, want %q", errs[0].Code, tc.code)
			}
			if strings.Contains(w.Body.String(), "goroutine") || strings.Contains(w.Body.String(), "boom") {
				t.Errorf("internals leaked to the client: %s", w.Body)
			}
			lines := logs.lines(t)[before:]
			if len(lines) != 1 {
				t.Fatalf("got %d log lines, want exactly one: %v", len(lines), lines)
			}
			if tc.checkLog != nil {
				tc.checkLog(t, lines[0])
			}
		})
	}
	if got := do(e, http.MethodPost, "/things/1", "", nil).Header().Get("Allow"); got != "GET" {
		t.Errorf("Allow = %q, want GET", got)
	}
}

// Faults are logged as errors; a 501 (an operation not built yet) and client errors are not.
func TestAccessLogLevel(t *testing.T) {
	e, logs := newEngine(t, 0)
	e.GET("/status/:code", func(c *gin.Context) {
		code, _ := strconv.Atoi(c.Param("code"))
		c.Status(code)
	})
	for code, want := range map[int]string{500: "error", 503: "error", 501: "info", 404: "info", 200: "info"} {
		before := len(logs.lines(t))
		do(e, http.MethodGet, "/status/"+strconv.Itoa(code), "", nil)
		lines := logs.lines(t)[before:]
		if len(lines) != 1 || lines[0]["level"] != want {
			t.Errorf("%d logged %v, want one line at %s", code, lines, want)
		}
	}
}

func TestCorrelationID(t *testing.T) {
	e, logs := newEngine(t, 0)
	var fromCtx, fromGin string
	e.GET("/v2/orgs/:org/things/:id", func(c *gin.Context) {
		fromGin = httpx.CorrelationID(c)
		// Handlers reach the request's logger through the context they pass down.
		fromCtx, _ = logging.FromContext(c).Data[logging.FieldCorrelationID].(string)
		c.Status(http.StatusNoContent)
	})

	tests := []struct {
		name   string
		header string
		want   func(t *testing.T, echoed string)
	}{
		{name: "providedEchoed", header: "2106f808-36e9-402d-bf37-f1f7fa04776b", want: func(t *testing.T, echoed string) {
			if echoed != "2106f808-36e9-402d-bf37-f1f7fa04776b" {
				t.Errorf("echoed %q", echoed)
			}
		}},
		{name: "missingGenerated", header: "", want: func(t *testing.T, echoed string) {
			if _, err := uuid.Parse(echoed); err != nil {
				t.Errorf("generated id %q is not a UUID", echoed)
			}
		}},
		{name: "blankGenerated", header: "   ", want: func(t *testing.T, echoed string) {
			if _, err := uuid.Parse(echoed); err != nil {
				t.Errorf("generated id %q is not a UUID", echoed)
			}
		}},
		{name: "tooLongReplaced", header: strings.Repeat("a", httpx.MaxCorrelationIDLen+1), want: func(t *testing.T, echoed string) {
			if _, err := uuid.Parse(echoed); err != nil {
				t.Errorf("generated id %q is not a UUID", echoed)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fromCtx, fromGin = "", ""
			h := http.Header{}
			if tc.header != "" {
				h.Set(httpx.HeaderCorrelationID, tc.header)
			}
			before := len(logs.lines(t))
			w := do(e, http.MethodGet, "/v2/orgs/yoigo/things/600111222?email=a@b.es", "", h)
			if w.Code != http.StatusNoContent {
				t.Fatalf("status = %d", w.Code)
			}
			echoed := w.Header().Get(httpx.HeaderCorrelationID)
			tc.want(t, echoed)
			if fromCtx != echoed || fromGin != echoed {
				t.Errorf("handler saw %q (context logger) and %q (gin), response says %q", fromCtx, fromGin, echoed)
			}
			lines := logs.lines(t)[before:]
			if len(lines) != 1 {
				t.Fatalf("got %d log lines, want one", len(lines))
			}
			l := lines[0]
			if l[logging.FieldCorrelationID] != echoed || l["route"] != "/v2/orgs/:org/things/:id" ||
				l["method"] != "GET" || l["status"] != float64(204) || l["latency_ms"] == nil {
				t.Errorf("access line %v", l)
			}
			raw, _ := json.Marshal(l)
			if strings.Contains(string(raw), "600111222") || strings.Contains(string(raw), "email") {
				t.Errorf("access line carries the raw path or query: %s", raw)
			}
		})
	}
}

// A route with its own error shape gets every error in it, the authentication's included.
func TestErrorBodyOf(t *testing.T) {
	e, _ := newEngine(t, 0)
	tokens := map[string][]string{"tok": {"yoigo"}}
	wrap := func(status int, errs []httpx.Error) any {
		return map[string]any{"errors": errs, "status": status}
	}
	e.GET("/v1/orgs/:org/things", httpx.ErrorBodyOf(wrap), httpx.Authenticate(tokens, "org"), func(c *gin.Context) {
		httpx.Fail(c, http.StatusConflict, "TAKEN", "already there")
	})
	e.GET("/v2/orgs/:org/things", httpx.Authenticate(tokens, "org"))
	tests := []struct {
		name, path, token string
		status            int
		want              string
	}{
		{"shaped401", "/v1/orgs/yoigo/things", "", http.StatusUnauthorized,
			`{"errors":[{"code":"UNAUTHORIZED","title":"UNAUTHORIZED","details":"a Bearer token is required"}],"status":401}`},
		{"shaped409FromHandler", "/v1/orgs/yoigo/things", "tok", http.StatusConflict,
			`{"errors":[{"code":"TAKEN","title":"CONFLICT","details":"already there"}],"status":409}`},
		{"seedArrayElsewhere", "/v2/orgs/yoigo/things", "", http.StatusUnauthorized,
			`[{"code":"UNAUTHORIZED","title":"UNAUTHORIZED","details":"a Bearer token is required"}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.token != "" {
				h.Set("Authorization", "Bearer "+tc.token)
			}
			w := do(e, http.MethodGet, tc.path, "", h)
			if w.Code != tc.status || strings.TrimSpace(w.Body.String()) != tc.want {
				t.Fatalf("got %d %s, want %d %s", w.Code, w.Body.String(), tc.status, tc.want)
			}
		})
	}
}

func TestBindJSON(t *testing.T) {
	type body struct {
		SubscriptionID string   `json:"subscriptionId"`
		Products       []string `json:"products"`
	}
	e, _ := newEngine(t, 64)
	var got body
	e.POST("/bind", func(c *gin.Context) {
		got = body{}
		if !httpx.BindJSON(c, &got) {
			return
		}
		c.Status(http.StatusAccepted)
	})
	tests := []struct {
		name    string
		body    string
		status  int
		code    string
		details string
	}{
		{name: "bind202Valid", body: `{"subscriptionId":"ENT1","products":["p"],"extra":1}`, status: http.StatusAccepted},
		{name: "bind400Empty", body: "", status: http.StatusBadRequest, code: httpx.CodeInvalidBody, details: "empty"},
		{name: "bind400Malformed", body: `{"subscriptionId":`, status: http.StatusBadRequest, code: httpx.CodeInvalidBody, details: "not valid JSON"},
		{name: "bind400Syntax", body: `{"subscriptionId" "x"}`, status: http.StatusBadRequest, code: httpx.CodeInvalidBody, details: "offset"},
		{name: "bind400WrongType", body: `{"products":"p"}`, status: http.StatusBadRequest, code: httpx.CodeInvalidBody, details: "field products must be an array"},
		{name: "bind400NotObject", body: `[1]`, status: http.StatusBadRequest, code: httpx.CodeInvalidBody, details: "must be an object"},
		{name: "bind400TrailingData", body: `{"subscriptionId":"a"}{}`, status: http.StatusBadRequest, code: httpx.CodeInvalidBody, details: "after the JSON value"},
		{name: "bind413TooLarge", body: `{"subscriptionId":"` + strings.Repeat("x", 100) + `"}`, status: http.StatusRequestEntityTooLarge, code: httpx.CodeBodyTooLarge, details: "64 bytes"},
		{name: "bind413TooLargeAfterValue", body: `{}` + strings.Repeat(" ", 100), status: http.StatusRequestEntityTooLarge, code: httpx.CodeBodyTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(e, http.MethodPost, "/bind", tc.body, nil)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d (body %s)", w.Code, tc.status, w.Body)
			}
			if tc.code == "" {
				if got.SubscriptionID != "ENT1" || len(got.Products) != 1 {
					t.Errorf("decoded %+v", got)
				}
				return
			}
			errs := seedBody(t, w)
			if errs[0].Code != tc.code || !strings.Contains(errs[0].Details, tc.details) {
				t.Errorf("error %+v, want code %s and details containing %q", errs[0], tc.code, tc.details)
			}
		})
	}
}
