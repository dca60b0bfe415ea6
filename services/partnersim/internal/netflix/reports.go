package netflix

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/services/partnersim/internal/sim"
)

// EventBundleActivation is reported when a customer opens a securitized URL and links a Netflix
// account to the bundle. The platform learns everything else from its own commands; this is the
// one thing only the partner sees.
const EventBundleActivation = "BUNDLE_ACTIVATION"

// Page bounds of the reports listing.
const (
	DefaultReportsLimit = 100
	MaxReportsLimit     = 1000
)

// Report is an event the partner reports to the platform, pushed to the callback and listed by
// GET /v1/reports. Its fields are those of the seed's Netflix event, plus the org the account
// belongs to and the report's cursor.
type Report struct {
	// Cursor is the report's position: GET /v1/reports?after=<cursor> lists the ones after it.
	Cursor                       string    `json:"cursor"`
	NetflixEventID               string    `json:"netflix_event_id"`
	EventType                    string    `json:"event_type"`
	Org                          string    `json:"org"`
	PAI                          PAI       `json:"partner_account_id"`
	BundleID                     string    `json:"bundle_id"`
	OfferID                      string    `json:"netflix_offer_id"`
	OriginalNetflixTransactionID string    `json:"original_netflix_transaction_id"`
	PartnerReferenceID           string    `json:"partner_reference_id,omitempty"`
	Timestamp                    int64     `json:"timestamp"`
	OccurredAt                   time.Time `json:"occurred_at"`
}

// Delivery is the state of the callback delivery, for the admin API.
type Delivery struct {
	CallbackURL string `json:"callback_url"`
	Reports     int    `json:"reports"`
	Delivered   int    `json:"delivered"`
	Pending     int    `json:"pending"`
	Attempts    int    `json:"attempts"`
	// LastError is the last failed attempt's cause, cleared by the next delivery.
	LastError string `json:"last_error,omitempty"`
}

// feed holds the reports in order and how far the callback has delivered them. It has its own
// lock so the deliverer never waits on the partner's.
type feed struct {
	mu      sync.Mutex
	reports []Report
	// next is the index of the first report the callback has not accepted.
	next     int
	attempts int
	lastErr  string
	// wake is signalled when a report is added, so an idle deliverer starts at once.
	wake chan struct{}
}

func newFeed() *feed { return &feed{wake: make(chan struct{}, 1)} }

// add assigns r the next cursor and stores it.
func (f *feed) add(r Report) Report {
	f.mu.Lock()
	r.Cursor = strconv.Itoa(len(f.reports) + 1)
	f.reports = append(f.reports, r)
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return r
}

// after lists at most limit reports after cursor. An empty cursor starts at the beginning; so
// does one beyond the last report, which a caller holds when the simulator restarted (its reports
// are in memory).
func (f *feed) after(cursor string, limit int) (ReportsPage, error) {
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return ReportsPage{}, fmt.Errorf("%w: %q", ErrCursorInvalid, cursor)
		}
		start = n
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if start > len(f.reports) {
		start = 0
	}
	end := min(start+limit, len(f.reports))
	return ReportsPage{
		Reports:    append([]Report{}, f.reports[start:end]...),
		NextCursor: strconv.Itoa(end),
		HasMore:    end < len(f.reports),
	}, nil
}

// pending returns the first report the callback has not accepted.
func (f *feed) pending() (Report, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.next >= len(f.reports) {
		return Report{}, false
	}
	return f.reports[f.next], true
}

// attempted records one delivery attempt of the pending report: accepted, or failed with cause.
func (f *feed) attempted(cause error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts++
	if cause != nil {
		f.lastErr = cause.Error()
		return
	}
	f.lastErr = ""
	f.next++
}

func (f *feed) delivery(callbackURL string) Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Delivery{
		CallbackURL: callbackURL,
		Reports:     len(f.reports),
		Delivered:   f.next,
		Pending:     len(f.reports) - f.next,
		Attempts:    f.attempts,
		LastError:   f.lastErr,
	}
}

// ReportsPage is the answer of GET /v1/reports.
type ReportsPage struct {
	Reports []Report `json:"reports"`
	// NextCursor is the cursor to ask after next time: the last report listed, or where the
	// listing stands when none was.
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
}

func (a *API) reports(c *gin.Context, _ []byte) sim.Response {
	limit := DefaultReportsLimit
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxReportsLimit {
			return a.fail(sim.Invalid(fmt.Sprintf("limit must be within 1..%d", MaxReportsLimit)))
		}
		limit = n
	}
	page, err := a.feed.after(c.Query("after"), limit)
	if err != nil {
		return a.fail(err)
	}
	return sim.JSON(http.StatusOK, page)
}
