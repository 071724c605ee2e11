package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"time"
)

// goldenPrincipals are principals whose content hashes and encodings are pinned by
// TestGoldenHashesAndEncodings: stored snapshots keep these hashes and bytes, so a change of
// either must be deliberate (a new format version), never a side effect of optimising.
func goldenPrincipals() map[string]Principal {
	shuffled := fullPrincipal()
	shuffled.Groups = []string{"developers", "admins", "developers"}
	shuffled.Credentials = []Credential{shuffled.Credentials[2], shuffled.Credentials[0], shuffled.Credentials[1]}
	shuffled.Grants = []Grant{shuffled.Grants[1], shuffled.Grants[0]}
	manyTags := samplePrincipal()
	manyTags.Tags = map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7", "h": "8", "i": "9", "j": "10"}
	twentyTags := fullPrincipal()
	twentyTags.Tags = map[string]string{}
	twentyTags.Attributes = map[string]string{}
	for i := range 20 {
		twentyTags.Tags[fmt.Sprintf("k%02d", 19-i)] = fmt.Sprint(i)
		twentyTags.Attributes[fmt.Sprintf("a%d", i)] = ""
	}
	oneEach := samplePrincipal()
	oneEach.Tags = map[string]string{"team": "claims"}
	oneEach.Attributes = map[string]string{"": ""}
	oneEach.Groups = []string{"solo"}
	oneEach.Credentials = oneEach.Credentials[:1]
	oneEach.Grants = oneEach.Grants[:1]
	times := Principal{
		ID:           "gcp:serviceAccount:ci@proj.iam.gserviceaccount.com",
		Provider:     ProviderGCP,
		Email:        "ci@proj.iam.gserviceaccount.com",
		CreatedAt:    time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		LastActivity: time.Unix(-1<<62, 999999999),
		Credentials:  []Credential{{Kind: CredSAKey, ID: "k", ExpiresAt: time.Unix(1<<40, 5).In(time.FixedZone("X", -7200))}},
	}
	return map[string]Principal{
		"zero":      {},
		"sample":    samplePrincipal(),
		"full":      fullPrincipal(),
		"shuffled":  shuffled,
		"many tags": manyTags,
		"one each":  oneEach,
		"twenty":    twentyTags,
		"times":     times,
	}
}

// TestGoldenHashesAndEncodings pins, for each golden principal, its content hash and the SHA-256
// (first 8 bytes) of its AppendPrincipal and AppendPrincipalRecord encodings, and checks that a
// Hasher reused across all of them gives the same hash and hash ‖ record in one call.
func TestGoldenHashesAndEncodings(t *testing.T) {
	table, err := NewStringTable([]string{"aws", "user", "123456789012", "admins", "direct", "active", "access_key", "team", "claims", "email"})
	if err != nil {
		t.Fatal(err)
	}
	type pinned struct{ Hash, Encoding, Record string }
	want := map[string]pinned{
		"zero":      {"d6fd62f5ce537d90ea3ea45841b17f34d727bcbc4128748cba14fb87c0ffd9d1", "aa25e1d595a77c37", "96040c8dbcc45a7f"},
		"sample":    {"083734c39962080019c6afbc3167db0dc5e6b77505d63402f8f254192baab82b", "b20711f603b2dd63", "5c34b8dbb80e9c4c"},
		"full":      {"4330b16e64f122d6f1448e4b642ec888a0bd0c359b037bcc9feff11dd5deaf98", "988a0ac157c4802c", "e4d735cae61c84d2"},
		"shuffled":  {"4330b16e64f122d6f1448e4b642ec888a0bd0c359b037bcc9feff11dd5deaf98", "5ebcee7ab7949f3a", "e4d735cae61c84d2"},
		"many tags": {"7b4db7b6acff05e81f224eab77259547885bb78e4688509b73210e298b093ec4", "45b31d51a81eaa47", "08f62838f7078f0d"},
		"one each":  {"4660b41e9010efe7d20d81de75677f1fedf26f87bab8f2c359454d81b52c8d7a", "deab2df768f6cb04", "a456481cb296626a"},
		"twenty":    {"26c7ae0aaaa69c57b139ecfd9bd6ccd539f78b92b8219c98caff8d33b2d678db", "aa5592929a52c239", "f80c8d2de4887d8b"},
		"times":     {"d0f24d9a1ce6ab559addec61c4a02a18745e1a70ed569188c21c8b85673b9239", "158359c08f35a20f", "ca08adf7d53af9ad"},
	}
	short := func(b []byte) string {
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:8])
	}
	var reused Hasher
	got := map[string]pinned{}
	// Twice round, so that the reused Hasher's scratch holds another principal's data.
	for range 2 {
		for name, p := range goldenPrincipals() {
			before := fmt.Sprintf("%#v", p)
			h := p.ContentHash()
			rec := AppendPrincipalRecord(nil, &p, table)
			got[name] = pinned{hex.EncodeToString(h[:]), short(AppendPrincipal(nil, &p)), short(rec)}
			if s := reused.Sum(&p); s != h {
				t.Errorf("%s: reused Hasher.Sum = %x, want %x", name, s, h)
			}
			prefix := []byte("prefix")
			both := reused.AppendHashedRecord(prefix, &p, table)
			if wantBoth := append(append([]byte("prefix"), h[:]...), rec...); string(both) != string(wantBoth) {
				t.Errorf("%s: AppendHashedRecord =\n%x\nwant prefix ‖ ContentHash ‖ AppendPrincipalRecord =\n%x", name, both, wantBoth)
			}
			if after := fmt.Sprintf("%#v", p); after != before {
				t.Errorf("%s: hashing and encoding modified the principal:\n%s\n%s", name, before, after)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hashes or encodings changed (-pinned +got):\n%s", diff)
	}
}
