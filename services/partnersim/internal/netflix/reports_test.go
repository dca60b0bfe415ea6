package netflix_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"provision.local/services/partnersim/internal/netflix"
)

// reports lists the reports after cursor, failing the test unless the answer is 200.
func (h *harness) reports(after, limit string) netflix.ReportsPage {
	h.t.Helper()
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if limit != "" {
		q.Set("limit", limit)
	}
	w := h.do(http.MethodGet, "/netflix/v1/reports?"+q.Encode(), "", "")
	if w.Code != http.StatusOK {
		h.t.Fatalf("reports: %d %s", w.Code, w.Body)
	}
	return decode[netflix.ReportsPage](h.t, w)
}

// activate enrols pai and opens a securitized URL for it.
func (h *harness) activate(pai string) {
	h.t.Helper()
	h.enrol(pai)
	if w := h.do(http.MethodGet, h.token(pai, tokenBody), "", ""); w.Code != http.StatusOK {
		h.t.Fatalf("open for %s: %d %s", pai, w.Code, w.Body)
	}
}

func TestReportCarriesTheActivation(t *testing.T) {
	h := newHarness(t)
	h.activate(pai)
	page := h.reports("", "")
	if len(page.Reports) != 1 || page.HasMore || page.NextCursor != "1" {
		t.Fatalf("page %+v, want one report and cursor 1", page)
	}
	r, a := page.Reports[0], h.account(pai)
	if r.EventType != netflix.EventBundleActivation || r.PAI != pai || r.Org != "masmovil" || r.BundleID != bundle ||
		r.OfferID != offer || r.OriginalNetflixTransactionID != a.TransactionID ||
		r.PartnerReferenceID != "e307f177-091a-4840-9830-dda1c29eea44" || r.NetflixEventID == "" ||
		r.Timestamp != t0.Unix() || r.Cursor != "1" {
		t.Fatalf("report %+v", r)
	}
	w := h.do(http.MethodGet, "/netflix/v1/reports", "", "")
	if !strings.Contains(w.Body.String(), `"partner_account_id":4567890123456789,`) {
		t.Fatalf("reports %s, want the PAI as the same 16-digit number", w.Body)
	}
}

func TestReportsPaging(t *testing.T) {
	h := newHarness(t)
	pais := []string{"11", "22", "33", "44", "55"}
	for _, p := range pais {
		h.activate(p)
		h.clock.Advance(time.Second)
	}
	var got []string
	cursor := ""
	for range len(pais) {
		page := h.reports(cursor, "2")
		for _, r := range page.Reports {
			got = append(got, string(r.PAI))
		}
		cursor = page.NextCursor
		if !page.HasMore {
			break
		}
	}
	if !slices.Equal(got, pais) || cursor != "5" {
		t.Fatalf("paged %v to cursor %s, want %v to 5", got, cursor, pais)
	}
	if page := h.reports("5", ""); len(page.Reports) != 0 || page.NextCursor != "5" || page.HasMore {
		t.Fatalf("after the last: %+v, want empty at cursor 5", page)
	}
	if page := h.reports("99", "1"); len(page.Reports) != 1 || page.Reports[0].PAI != "11" {
		t.Fatalf("after a cursor beyond the end: %+v, want from the start", page)
	}
	for _, q := range []string{"after=x", "after=-1", "limit=0", "limit=1001", "limit=x"} {
		w := h.do(http.MethodGet, "/netflix/v1/reports?"+q, "", "")
		if w.Code != http.StatusBadRequest {
			t.Fatalf("%s: %d %s, want 400", q, w.Code, w.Body)
		}
	}
}

// receiver is a callback endpoint that answers 503 while down and records what it accepted.
type receiver struct {
	srv      *httptest.Server
	down     atomic.Bool
	attempts atomic.Int32
	mu       sync.Mutex
	got      []netflix.Report
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.attempts.Add(1)
		body, _ := io.ReadAll(r.Body)
		if rc.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var rep netflix.Report
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &rep) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.got = append(rc.got, rep)
		rc.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) accepted() []netflix.Report {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// run starts the partner's delivery and stops it when the test ends.
func run(t *testing.T, api *netflix.API) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		api.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// eventually waits for cond with a deadline, polling.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func callbackHarness(t *testing.T, rc *receiver) *harness {
	h := newHarnessWith(t, netflix.Options{Callback: netflix.CallbackConfig{
		URL: rc.srv.URL + "/callbacks/netflix", BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond,
	}})
	run(t, h.api)
	return h
}

func TestCallbackDeliversTheReport(t *testing.T) {
	rc := newReceiver(t)
	h := callbackHarness(t, rc)
	h.activate(pai)
	eventually(t, "the report delivered", func() bool { return h.api.Delivery().Delivered == 1 })
	got := rc.accepted()
	want := h.reports("", "").Reports
	if len(got) != 1 || got[0] != want[0] {
		t.Fatalf("receiver got %+v, want %+v", got, want)
	}
	if d := h.api.Delivery(); d.Attempts != 1 || d.Pending != 0 || d.LastError != "" {
		t.Fatalf("delivery %+v, want one attempt and nothing pending", d)
	}
}

func TestCallbackKeepsReportsWhileTheReceiverIsDown(t *testing.T) {
	rc := newReceiver(t)
	rc.down.Store(true)
	h := callbackHarness(t, rc)
	pais := []string{"11", "22", "33"}
	for _, p := range pais {
		h.activate(p)
	}
	eventually(t, "retries while down", func() bool { return rc.attempts.Load() >= 5 })
	if d := h.api.Delivery(); d.Delivered != 0 || d.Pending != 3 || !strings.Contains(d.LastError, "503") {
		t.Fatalf("delivery while down %+v, want 3 pending and the 503 as last error", d)
	}

	rc.down.Store(false)
	eventually(t, "every report delivered", func() bool { return h.api.Delivery().Delivered == 3 })
	var got []string
	ids := map[string]bool{}
	for _, r := range rc.accepted() {
		got = append(got, string(r.PAI))
		ids[r.NetflixEventID] = true
	}
	if !slices.Equal(got, pais) || len(ids) != 3 {
		t.Fatalf("receiver got %v with %d event ids, want %v in order, each once", got, len(ids), pais)
	}
	if d := h.api.Delivery(); d.Pending != 0 || d.LastError != "" {
		t.Fatalf("delivery after recovery %+v", d)
	}
	if w := h.do(http.MethodGet, "/admin/reports/netflix", "", ""); w.Code != http.StatusOK ||
		!strings.Contains(w.Body.String(), `"delivered":3,"pending":0`) {
		t.Fatalf("admin reports: %d %s", w.Code, w.Body)
	}
}

func TestNoCallbackOnlyListsReports(t *testing.T) {
	h := newHarness(t)
	run(t, h.api)
	h.activate(pai)
	if d := h.api.Delivery(); d.CallbackURL != "" || d.Reports != 1 || d.Attempts != 0 {
		t.Fatalf("delivery %+v, want one report and no attempt", d)
	}
	if n := len(h.reports("", "").Reports); n != 1 {
		t.Fatalf("%d reports listed, want 1", n)
	}
}

func TestConcurrentActivationsAreEachDeliveredOnce(t *testing.T) {
	const n = 50
	rc := newReceiver(t)
	h := callbackHarness(t, rc)
	links := make([]string, n)
	for i := range n {
		p := strconv.Itoa(1000 + i)
		h.enrol(p)
		links[i] = h.token(p, tokenBody)
	}
	var wg sync.WaitGroup
	for _, link := range links {
		// Each URL opened twice at once: one activation, one report.
		for range 2 {
			wg.Go(func() { h.do(http.MethodGet, link, "", "") })
		}
	}
	wg.Wait()
	eventually(t, "every report delivered", func() bool { return h.api.Delivery().Delivered == n })
	got := rc.accepted()
	seen := map[netflix.PAI]bool{}
	for i, r := range got {
		if r.Cursor != strconv.Itoa(i+1) || seen[r.PAI] {
			t.Fatalf("report %d: cursor %s PAI %s, want cursor %d and a PAI not seen before", i, r.Cursor, r.PAI, i+1)
		}
		seen[r.PAI] = true
	}
	if len(got) != n || h.api.Partner().Requests().Effects[netflix.OpActivateLink] != n {
		t.Fatalf("%d reports delivered, %d activations; want %d each", len(got), h.api.Partner().Requests().Effects[netflix.OpActivateLink], n)
	}
}
