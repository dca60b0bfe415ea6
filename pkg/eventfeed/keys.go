package eventfeed

import (
	"net/url"
	"strconv"
	"time"
)

// bucketLayout names a bucket by its start, in UTC: readable, and sorted as time is.
const bucketLayout = "20060102T1504"

// bucketStart is the start of the bucket holding t.
func bucketStart(t time.Time) time.Time { return t.UTC().Truncate(BucketWidth) }

// bucketKey is the prefix of one bucket's documents. The organisation is escaped so that a "/"
// in it cannot make two organisations' keys meet.
func bucketKey(org string, start time.Time) string {
	return url.PathEscape(org) + "/" + start.UTC().Format(bucketLayout)
}

// dayMark and hourMark exist once an event was appended in that day or hour of org's feed: a
// page skips a day or an hour without events with one lookup.
func dayMark(org string, t time.Time) string {
	return url.PathEscape(org) + "/" + t.UTC().Format("20060102")
}

func hourMark(org string, t time.Time) string {
	return url.PathEscape(org) + "/" + t.UTC().Format("20060102T15")
}

func slotID(bucket string, k int) string { return bucket + "/s" + strconv.Itoa(k) }

func sealedID(bucket string) string { return bucket + "/sealed" }

func partID(bucket string, j int) string { return bucket + "/p" + strconv.Itoa(j) }
