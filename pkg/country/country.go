// Package country checks country codes against ISO 3166-1, from the data of
// github.com/biter777/countries rather than a list kept here.
package country

import "github.com/biter777/countries"

// withdrawn are the codes the data package still lists although ISO 3166-1 has withdrawn them
// (Netherlands Antilles, 2010; Yugoslavia, 2003): no customer is billed there any more.
var withdrawn = map[string]bool{"AN": true, "YU": true}

// alpha2 holds every code IsISO3166Alpha2 accepts, built once from the data package.
var alpha2 = func() map[string]bool {
	all := countries.All()
	set := make(map[string]bool, len(all))
	for _, c := range all {
		if code := c.Alpha2(); !withdrawn[code] {
			set[code] = true
		}
	}
	return set
}()

// IsISO3166Alpha2 reports whether code is an assigned ISO 3166-1 alpha-2 country code written as
// the standard writes it: two upper-case letters, e.g. "ES". Lower case ("es"), alpha-3 ("ESP"),
// common aliases ("UK"), regions ("EU") and reserved or unassigned codes ("ZZ", "AA", "QO") are
// refused. Kosovo's "XK" is accepted: it is user-assigned, not ISO's, but the European Union and
// billing systems use it as Kosovo's code, and the data package lists it as a country.
func IsISO3166Alpha2(code string) bool { return alpha2[code] }
