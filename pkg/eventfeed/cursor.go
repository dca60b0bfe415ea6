package eventfeed

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"slices"
)

// cursorVersion leads every cursor, so that a change of format refuses old cursors cleanly.
const cursorVersion = 1

const (
	digestSize = 16
	macSize    = 16
	// version, timestamp, digest, then the id, then the MAC.
	cursorFixed = 1 + 8 + digestSize
)

// position is where a page starts: after the event (time, id). (t, "") is before every event at
// t, since ids are never empty: the window's start, or the bucket a page stopped before.
type position struct {
	time int64
	id   string
}

func (p position) before(e storedEvent) bool {
	return e.Time > p.time || e.Time == p.time && e.ID > p.id
}

// queryDigest binds a cursor to one organisation, window and type filter (sorted, unique).
func queryDigest(org string, w Window, types []string) []byte {
	h := sha256.New()
	field := func(s string) {
		_ = binary.Write(h, binary.BigEndian, uint32(len(s)))
		h.Write([]byte(s))
	}
	field(org)
	_ = binary.Write(h, binary.BigEndian, w.Start.UnixNano())
	_ = binary.Write(h, binary.BigEndian, w.End.UnixNano())
	_ = binary.Write(h, binary.BigEndian, uint32(len(types)))
	for _, t := range types {
		field(t)
	}
	return h.Sum(nil)[:digestSize]
}

func (f *Feed) mac(b []byte) []byte {
	m := hmac.New(sha256.New, f.key)
	m.Write(b)
	return m.Sum(nil)[:macSize]
}

func (f *Feed) encodeCursor(p position, digest []byte) string {
	b := make([]byte, 0, cursorFixed+len(p.id)+macSize)
	b = append(b, cursorVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(p.time))
	b = append(b, digest...)
	b = append(b, p.id...)
	b = append(b, f.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor checks the cursor's MAC and that it was issued for the query of digest.
func (f *Feed) decodeCursor(s string, digest []byte) (position, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < cursorFixed+macSize {
		return position{}, ErrInvalidCursor
	}
	body, mac := b[:len(b)-macSize], b[len(b)-macSize:]
	if !hmac.Equal(mac, f.mac(body)) || body[0] != cursorVersion || !slices.Equal(body[9:cursorFixed], digest) {
		return position{}, ErrInvalidCursor
	}
	return position{time: int64(binary.BigEndian.Uint64(body[1:9])), id: string(body[cursorFixed:])}, nil
}
