package sim

// Table is a partner's in-memory state: records by id, listed in insertion order. It has no lock
// of its own: use it only inside Partner.Handle or Partner.Read, which hold the partner's lock, so
// a check and the change that follows it are one step.
type Table[T any] struct {
	rows  map[string]T
	order []string
}

// NewTable returns an empty table.
func NewTable[T any]() *Table[T] { return &Table[T]{rows: map[string]T{}} }

// Get returns the record stored under id.
func (t *Table[T]) Get(id string) (T, bool) {
	v, ok := t.rows[id]
	return v, ok
}

// Put stores v under id, replacing any record there.
func (t *Table[T]) Put(id string, v T) {
	if _, ok := t.rows[id]; !ok {
		t.order = append(t.order, id)
	}
	t.rows[id] = v
}

// All returns every record in insertion order.
func (t *Table[T]) All() []T {
	out := make([]T, 0, len(t.order))
	for _, id := range t.order {
		out = append(out, t.rows[id])
	}
	return out
}
