package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"provision.local/events"
	"provision.local/pkg/eventfeed"
)

// EventsHorizon is how far back the events endpoint reaches: a window starting earlier is refused.
const EventsHorizon = 14 * 24 * time.Hour

// maxFollowedPages bounds the feed pages one request reads while they come back empty (a long
// window with few events): each page costs at most some tens of lookups.
const maxFollowedPages = 5

// Codes of a refused events query; the ingress answers them 400.
const (
	CodeInvalidStartTimestamp = "INVALID_START_TIMESTAMP"
	CodeInvalidEndTimestamp   = "INVALID_END_TIMESTAMP"
	CodeInvalidEventType      = "INVALID_EVENT_TYPE"
	CodeInvalidOffset         = "INVALID_OFFSET"
)

// InvalidEventsQuery is an events query that breaks one of the endpoint's rules.
type InvalidEventsQuery struct {
	Code, Details string
}

func (e *InvalidEventsQuery) Error() string { return e.Details }

// EventFeed is the store of the Netflix events (an *eventfeed.Feed).
type EventFeed interface {
	Append(ctx context.Context, org string, evs ...eventfeed.Event) error
	Page(ctx context.Context, org string, w eventfeed.Window, types []string, cursor string, limit int) (eventfeed.Page, error)
}

// EventsRequest is one call of the events endpoint: a window in UNIX seconds, start inclusive and
// end exclusive, the types as the client lists them (comma-separated, empty for all) and the
// offset of the previous page.
type EventsRequest struct {
	Start, End int64
	Events     string
	Offset     string
}

// EventsPage is the endpoint's answer: Events hold the feed's payloads as they are stored
// (NetflixEvent), NextOffset is empty on the last page.
type EventsPage struct {
	Events     []json.RawMessage `json:"events"`
	NextOffset string            `json:"next_page_offset,omitempty"`
}

// EventsQuery pages through an org's Netflix events.
type EventsQuery struct {
	feed     EventFeed
	minAge   time.Duration
	pageSize int
	now      func() time.Time
}

// NewEventsQuery returns the query over feed: a window must end minAge before now, and a page holds
// at most pageSize events. now is the clock (time.Now when nil).
func NewEventsQuery(feed EventFeed, minAge time.Duration, pageSize int, now func() time.Time) *EventsQuery {
	if now == nil {
		now = time.Now
	}
	return &EventsQuery{feed: feed, minAge: minAge, pageSize: min(max(pageSize, 1), eventfeed.MaxLimit), now: now}
}

// List returns a page of org's events in the request's window. It follows the feed's cursor past
// empty pages (a stretch without events) a few times, so a client gets events when the window has
// some, while one request stays bounded; a page may still be empty with a next offset.
func (q *EventsQuery) List(ctx context.Context, org string, r EventsRequest) (EventsPage, error) {
	w, types, err := q.check(r)
	if err != nil {
		return EventsPage{}, err
	}
	cursor := r.Offset
	var page eventfeed.Page
	for range maxFollowedPages {
		page, err = q.feed.Page(ctx, org, w, types, cursor, q.pageSize)
		if errors.Is(err, eventfeed.ErrInvalidCursor) {
			return EventsPage{}, &InvalidEventsQuery{CodeInvalidOffset, "offset is not a next_page_offset of this window and event types"}
		}
		if err != nil {
			return EventsPage{}, fmt.Errorf("events page: %w", err)
		}
		if len(page.Events) > 0 || page.Next == "" {
			break
		}
		cursor = page.Next
	}
	out := EventsPage{Events: make([]json.RawMessage, len(page.Events)), NextOffset: page.Next}
	for i, e := range page.Events {
		out.Events[i] = e.Payload
	}
	return out, nil
}

// check applies the endpoint's rules to a request and returns its window and types.
func (q *EventsQuery) check(r EventsRequest) (eventfeed.Window, []string, error) {
	now := q.now()
	start, end := time.Unix(r.Start, 0).UTC(), time.Unix(r.End, 0).UTC()
	switch {
	case start.Before(now.Add(-EventsHorizon)):
		return eventfeed.Window{}, nil, &InvalidEventsQuery{CodeInvalidStartTimestamp, "startTimestamp must be within 14 days of the current time"}
	case !end.After(start):
		return eventfeed.Window{}, nil, &InvalidEventsQuery{CodeInvalidEndTimestamp, "endTimestamp must be greater than startTimestamp"}
	case end.After(now.Add(-q.minAge)):
		return eventfeed.Window{}, nil, &InvalidEventsQuery{CodeInvalidEndTimestamp,
			fmt.Sprintf("endTimestamp must be at least %s before the current time", q.minAge)}
	}
	var types []string
	if r.Events != "" {
		known := events.NetflixEventTypes()
		for t := range strings.SplitSeq(r.Events, ",") {
			if !slices.Contains(known, t) {
				return eventfeed.Window{}, nil, &InvalidEventsQuery{CodeInvalidEventType,
					fmt.Sprintf("events: %q is not one of %s", t, strings.Join(known, ", "))}
			}
			types = append(types, t)
		}
	}
	return eventfeed.Window{Start: start, End: end}, types, nil
}
