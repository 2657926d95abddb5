package mockserver

import (
	"cmp"
	"slices"
)

// entry is one element of an orderedIndex: the id of an app and the sequence
// number it got when it was added.
type entry struct {
	seq uint64
	id  string
}

// orderedIndex keeps ids in insertion order. Sequence numbers only grow, so
// appending keeps the slice sorted by seq and removal is a binary search.
// A page is a sub-slice: listing never sorts or copies the whole store
// (Mattermost's SQL has no ORDER BY either, server/channels/web/params.go, so any stable order
// is faithful; insertion order is the one tests can predict).
type orderedIndex struct {
	entries []entry
}

func (x *orderedIndex) add(seq uint64, id string) {
	x.entries = append(x.entries, entry{seq: seq, id: id})
}

func (x *orderedIndex) remove(seq uint64) {
	i, ok := slices.BinarySearchFunc(x.entries, seq, func(e entry, s uint64) int { return cmp.Compare(e.seq, s) })
	if ok {
		x.entries = slices.Delete(x.entries, i, i+1)
	}
}

func (x *orderedIndex) len() int { return len(x.entries) }

// page returns the entries of page number page of size perPage (offset
// page*perPage, as the store's LIMIT/OFFSET), or nil past the end. The
// arithmetic cannot overflow: page is compared with the number of pages
// before it is multiplied.
func (x *orderedIndex) page(page, perPage int) []entry {
	if x == nil || perPage <= 0 || page < 0 {
		return nil
	}
	n := len(x.entries)
	pages := n / perPage
	if n%perPage != 0 {
		pages++
	}
	if page >= pages {
		return nil
	}
	start := page * perPage
	end := min(start+perPage, n)
	return x.entries[start:end]
}
