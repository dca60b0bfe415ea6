// Package eventfeed stores an append-only feed of events per organisation and pages through a
// time window of it with an opaque, signed cursor. It knows nothing of what the events mean: an
// event is an id, a timestamp, a type and an opaque JSON payload. A projection consumer appends
// (at-least-once, possibly from several partitions at once); an HTTP endpoint pages.
//
// # Keys: everything is an _id lookup
//
// The embedded store (FerretDB on SQLite) reaches an index only for a filter that is exactly
// {_id: <string>}; any other filter, an $in, a range or a sort decodes the whole collection. Its
// updates read the document and rewrite it outside any lock, so two writers racing on one
// document can lose an update, and a version in the filter is no guard (it also defeats the _id
// pushdown). The one atomic operation is the insert of a new _id. The layout therefore uses
// inserts only, and every read is a FindOne by _id, which real MongoDB indexes too (no other
// index is needed there).
//
// Time is cut into buckets of BucketWidth (10 minutes) per organisation. A bucket is
//
//   - a sequence of slots <org>/<bucket>/s<k>, k = 0, 1, 2, ...: each append inserts the next free
//     slot, holding the events it appends to that bucket (one, or a batch). A writer inserts slot
//     k only after it has seen slot k-1 taken, so the taken slots are always a prefix: a reader
//     reads slots until the first missing one;
//   - once the bucket is older than SealAfter, its sealed form: all its events sorted by
//     (timestamp, id), each id once, cut into parts <org>/<bucket>/p<j> of 128 events, and
//     <org>/<bucket>/sealed naming the first event of each part. A writer seals the buckets it
//     appended to once they are due (looking at most once a minute, within Append); a reader
//     seals a due bucket nobody sealed. Sealing reads the slots, takes the first free one with a
//     seal mark (an insert, so exactly one mark wins against any appender), inserts the parts,
//     then the sealed document. Its content is determined by the slots before the mark, so
//     racing sealers write the same documents, and a sealer that died half-way is completed by
//     the next one. Appends that come after the mark take the slots after it; readers of a
//     sealed bucket probe for them (one lookup, which misses unless an event came late) and merge
//     them in. An empty bucket is never sealed.
//
// Besides, <org>/<day> and <org>/<day>T<hour> exist once an event was appended in that day or
// hour (a writer inserts them before its first slot in a bucket): a page skips a day or an hour
// without events with one lookup.
//
// Events are stored in a slot or a part as one BSON binary value rather than an array of
// documents: the embedded store decodes a document value by value, and one value of some tens of
// kilobytes costs a fraction of as many small documents (a page took a seventh of the time).
//
// A page reads, per bucket it covers, the sealed document, the probe after the mark and the
// parts from the one holding its start until it has its events: with the endpoint's limit of
// 100, about two parts of a dense window. It stops at 60 lookups with a next cursor (a long window
// with few events is paged in several short pages, some possibly empty), so no page costs more
// than about 60 FindOnes, whatever is stored. A bucket still open (younger than SealAfter) is
// read slot by slot: slower, and only reached by windows ending less than BucketWidth +
// SealAfter before now. Measured (BenchmarkPage: 100,000 events over 48 hours, limit 100, a
// one-hour window, on 2 busy cores): p50 9 ms and p99 15 ms for all types, 18 and 34 ms for one
// type of four, 25 and 37 ms for a 14-day window holding 200 events, where a FindOne by _id
// takes 0.4-0.6 ms (p99 1.3-2.2 ms). The first page over a bucket of 350 single appends that
// no writer sealed takes about 250 ms (BenchmarkSeal), once per bucket.
//
// Limits: a slot holds up to 500 events of one append; a sealed document names one bucket's
// parts, so one organisation's ten minutes can hold some hundreds of thousands of events.
//
// # Duplicates
//
// Appending an event id that is stored already (a redelivery) may add another slot, but a
// bucket's events are kept unique by id when it is read and when it is sealed: a page returns
// each id once, and a sealed bucket's parts store it once. This holds because a redelivered
// event carries the same timestamp, hence lands in the same bucket: the projection appends each
// event with its own timestamp (the status event's), never the time it processes it.
//
// # Consistency contract
//
// Pages are in (timestamp, id) order, the window's start inclusive and its end exclusive. The
// cursor is the position of the last event returned; the next page returns the events after it.
// Every event whose Append returned before a page is read is visible to it (marks and slots are
// written before Append returns, sealed buckets are probed for later slots), so paging
// a window returns, at least once, every event stored in it before the cursor passed its
// position. An event is missed only if it is appended after a client's cursor went past its
// timestamp. The endpoint serves windows ending at least a minimum age (15 minutes) before now,
// so the projection's contract is: append an event less than that minimum age after its
// timestamp, and to acknowledge (commit) a status event only after Append returned. An event
// appended later is still stored and seen by every query started after it was appended, but a
// client already paging past it does not see it. SealAfter (default 5
// minutes) must stay at most the minimum age minus BucketWidth for the endpoint's windows to be
// read from sealed buckets; a later append into a sealed bucket is still seen (the probe), so no
// clock (the sealing reader's, the writer's) decides what is seen, only how fast it is read.
//
// # Cursor
//
// base64url(version ‖ timestamp ‖ query digest ‖ id ‖ MAC): the position of the last event
// returned (timestamp and id; or the start of the bucket a page stopped before, with no id), a
// digest of the query (organisation, window, sorted type filter) and an HMAC-SHA256 of all of it
// under the feed's key (16 bytes of each hash are kept). A cursor that was altered, signed with
// another key, or issued for another organisation, window or filter is refused with
// ErrInvalidCursor. The cursor is signed, not encrypted: it reveals a timestamp and an event id
// of the caller's own feed.
package eventfeed
