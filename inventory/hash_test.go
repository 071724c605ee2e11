package inventory

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func samplePrincipal() Principal {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return Principal{
		ID: "arn:aws:iam::111122223333:user/alice", Provider: ProviderAWS, Account: "111122223333",
		Kind: KindUser, Name: "alice", Email: "alice@acme.example", NativeID: "AIDAEXAMPLE",
		CreatedAt: t0, LastActivity: t0.Add(time.Hour), Disabled: false, Console: true, MFA: true,
		Tags:   map[string]string{"owner": "alice@acme.example", "team": "claims"},
		Groups: []string{"arn:aws:iam::111122223333:group/dev", "arn:aws:iam::111122223333:group/ops"},
		Credentials: []Credential{
			{Kind: CredAccessKey, ID: "access_key_1", Status: CredActive, CreatedAt: t0, LastUsed: t0.Add(2 * time.Hour), ExpiresAt: t0.Add(24 * time.Hour), Managed: "user"},
			{Kind: CredPassword, ID: "password", Status: CredActive, CreatedAt: t0},
		},
		Grants: []Grant{
			{What: "arn:aws:iam::aws:policy/ReadOnlyAccess", Where: "111122223333", Via: "direct", Privilege: PrivilegeRead, Condition: "c"},
			{What: "arn:aws:iam::aws:policy/AdministratorAccess", Where: "111122223333", Via: "group:ops", Privilege: PrivilegeAdmin},
		},
		Attributes: map[string]string{"path": "/", "permissions_boundary": "arn:x"},
		PersonID:   "hr:E1", LinkRule: "email",
	}
}

// TestContentHashOrderInsensitive: the order of sets and map insertion do not change the hash.
func TestContentHashOrderInsensitive(t *testing.T) {
	a := samplePrincipal()
	b := samplePrincipal()
	b.Groups[0], b.Groups[1] = b.Groups[1], b.Groups[0]
	b.Credentials[0], b.Credentials[1] = b.Credentials[1], b.Credentials[0]
	b.Grants[0], b.Grants[1] = b.Grants[1], b.Grants[0]
	b.Groups = append(b.Groups, b.Groups[0]) // a duplicate group is the same set
	b.Tags = map[string]string{"team": "claims", "owner": "alice@acme.example"}
	if a.ContentHash() != b.ContentHash() {
		t.Fatal("reordering sets changed the content hash")
	}
	before := fmt.Sprint(b.Groups, b.Credentials, b.Grants)
	b.ContentHash()
	if after := fmt.Sprint(b.Groups, b.Credentials, b.Grants); after != before {
		t.Errorf("ContentHash modified the principal:\n%s\n%s", before, after)
	}
	b.Normalize()
	if a.ContentHash() != b.ContentHash() {
		t.Fatal("Normalize changed the content hash")
	}
	// A time in another location at the same instant is the same time.
	c := samplePrincipal()
	c.CreatedAt = c.CreatedAt.In(time.FixedZone("X", 3600))
	if a.ContentHash() != c.ContentHash() {
		t.Error("the same instant in another time zone changed the hash")
	}
}

// TestContentHashEveryField changes each leaf field of a fully populated principal in turn and
// requires a different hash each time, so a field added to the model but not to the hash fails
// here.
func TestContentHashEveryField(t *testing.T) {
	base := samplePrincipal()
	want := base.ContentHash()
	seen := map[Hash]string{want: "base"}
	var paths []string
	var visit func(path string, v reflect.Value)
	visit = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			if v.Type() == reflect.TypeOf(time.Time{}) {
				paths = append(paths, path)
				return
			}
			for i := range v.NumField() {
				visit(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		case reflect.Slice:
			if v.Type().Elem().Kind() == reflect.String {
				paths = append(paths, path)
				return
			}
			for i := range v.Len() {
				visit(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		default:
			paths = append(paths, path)
		}
	}
	visit("", reflect.ValueOf(base))
	if len(paths) < 30 {
		t.Fatalf("only %d field paths visited: %v", len(paths), paths)
	}
	for _, path := range paths {
		p := samplePrincipal()
		p.Groups = append([]string(nil), p.Groups...)
		mutate(t, reflect.ValueOf(&p).Elem(), path)
		h := p.ContentHash()
		if prev, dup := seen[h]; dup {
			t.Errorf("changing %s gave the same hash as %s", path, prev)
		}
		seen[h] = path
	}
}

// mutate changes the field at path ("" is the root; ".Name", ".Credentials[0].ID", ...).
func mutate(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	for path != "" {
		switch {
		case path[0] == '.':
			end := 1
			for end < len(path) && path[end] != '.' && path[end] != '[' {
				end++
			}
			v = v.FieldByName(path[1:end])
			path = path[end:]
		case path[0] == '[':
			var i int
			var rest string
			fmt.Sscanf(path, "[%d]", &i)
			rest = path[len(fmt.Sprintf("[%d]", i)):]
			v = v.Index(i)
			path = rest
		}
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for _, k := range v.MapKeys() {
			m.SetMapIndex(k, v.MapIndex(k))
		}
		m.SetMapIndex(reflect.ValueOf("added"), reflect.ValueOf("1"))
		v.Set(m)
	case reflect.Slice:
		v.Set(reflect.Append(v, reflect.ValueOf("arn:new")))
	case reflect.Struct: // time.Time
		v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Nanosecond)))
	default:
		t.Fatalf("no mutation for kind %s", v.Kind())
	}
}

func TestContentHashZeroTimeDiffersFromEpoch(t *testing.T) {
	a := samplePrincipal()
	b := samplePrincipal()
	a.LastActivity = time.Time{}
	b.LastActivity = time.Unix(0, 0)
	if a.ContentHash() == b.ContentHash() {
		t.Error("a zero time and the Unix epoch hash alike")
	}
	// Moving a value between adjacent fields must change the hash (length-prefixed encoding).
	c, d := samplePrincipal(), samplePrincipal()
	c.Name, c.Email = "ab", ""
	d.Name, d.Email = "a", "b"
	if c.ContentHash() == d.ContentHash() {
		t.Error("field boundaries are ambiguous in the hash")
	}
}

func TestParseARN(t *testing.T) {
	tests := []struct {
		in      string
		want    ARN
		wantErr string
	}{
		{in: "arn:aws:iam::111122223333:user/dev/alice", want: ARN{Partition: "aws", Service: "iam", Account: "111122223333", Resource: "user/dev/alice"}},
		{in: "arn:aws-us-gov:s3:::bucket:with:colons", want: ARN{Partition: "aws-us-gov", Service: "s3", Resource: "bucket:with:colons"}},
		{in: "arn:aws:iam::aws:policy/ReadOnlyAccess", want: ARN{Partition: "aws", Service: "iam", Account: "aws", Resource: "policy/ReadOnlyAccess"}},
		{in: "arn:aws:iam::111122223333", wantErr: `invalid ARN "arn:aws:iam::111122223333": want arn:partition:service:region:account:resource`},
		{in: "urn:aws:iam::1:user/a", wantErr: `invalid ARN "urn:aws:iam::1:user/a": want arn:partition:service:region:account:resource`},
		{in: "", wantErr: `invalid ARN "": want arn:partition:service:region:account:resource`},
	}
	for _, tt := range tests {
		got, err := ParseARN(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseARN(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseARN(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("ARN.String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func FuzzParseARN(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::111122223333:user/alice", "arn:aws:s3:::b", "arn::::", ":::::", "arn:a:b:c:d:e:f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseARN(s)
		if err == nil && a.String() != s {
			t.Errorf("ParseARN(%q).String() = %q", s, a.String())
		}
	})
}

func TestStableIDs(t *testing.T) {
	got := []string{
		GCPPrincipalID("user", "Alice@Corp.COM"),
		GCPPrincipalID("serviceAccount", "sa@p.iam.gserviceaccount.com"),
		LDAPPrincipalID("cn=alice,ou=people,dc=corp"),
		SCIMPrincipalID("okta", "00u1"),
	}
	want := []string{"gcp:user:alice@corp.com", "gcp:serviceAccount:sa@p.iam.gserviceaccount.com", "ldap:cn=alice,ou=people,dc=corp", "scim:okta:00u1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IDs = %q, want %q", got, want)
	}
}
