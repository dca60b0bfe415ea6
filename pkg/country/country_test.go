package country

import "testing"

func TestIsISO3166Alpha2(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
	}{
		{"ES", true},
		{"GB", true},
		{"US", true},
		{"AQ", true},
		{"SS", true},
		{"BQ", true},
		{"XK", true},
		{"es", false},
		{"Es", false},
		{"UK", false},
		{"EU", false},
		{"ZZ", false},
		{"AA", false},
		{"QO", false},
		{"AN", false},
		{"YU", false},
		{"SU", false},
		{"ESP", false},
		{"E", false},
		{"", false},
		{"724", false},
	} {
		if got := IsISO3166Alpha2(tc.code); got != tc.want {
			t.Errorf("IsISO3166Alpha2(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}

// ISO 3166-1 assigns 249 codes; with Kosovo's that makes 250. A new version of the data package
// that changes the set fails here, to be looked at rather than taken silently.
func TestIsISO3166Alpha2_AcceptsTheAssignedCodesAndKosovo(t *testing.T) {
	n := 0
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if IsISO3166Alpha2(string([]rune{a, b})) {
				n++
			}
		}
	}
	if n != 250 {
		t.Errorf("%d codes accepted, want 250", n)
	}
}
