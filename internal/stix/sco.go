package stix

import "encoding/json"

// The cyber-observable objects (section 6) indicators of the regulator's databases speak
// of.

// SCOCommon are the properties shared by observables (section 3.3).
type SCOCommon struct {
	Type              string                     `json:"type"`
	SpecVersion       string                     `json:"spec_version,omitzero"`
	ID                string                     `json:"id"`
	ObjectMarkingRefs []string                   `json:"object_marking_refs,omitzero"`
	GranularMarkings  []GranularMarking          `json:"granular_markings,omitzero"`
	Defanged          *bool                      `json:"defanged,omitzero"`
	Extensions        map[string]json.RawMessage `json:"extensions,omitzero"`
}

// ObjectType implements Object.
func (c *SCOCommon) ObjectType() string { return c.Type }

// ObjectID implements Object.
func (c *SCOCommon) ObjectID() string { return c.ID }

// IPv4Addr is an IPv4 address or CIDR block (section 6.4).
type IPv4Addr struct {
	SCOCommon
	Value          string   `json:"value"`
	ResolvesToRefs []string `json:"resolves_to_refs,omitzero"`
	BelongsToRefs  []string `json:"belongs_to_refs,omitzero"`
	Extra          Extra    `json:"-"`
}

// IPv6Addr is an IPv6 address or CIDR block (section 6.5).
type IPv6Addr struct {
	SCOCommon
	Value          string   `json:"value"`
	ResolvesToRefs []string `json:"resolves_to_refs,omitzero"`
	BelongsToRefs  []string `json:"belongs_to_refs,omitzero"`
	Extra          Extra    `json:"-"`
}

// DomainName is a network domain name (section 6.3).
type DomainName struct {
	SCOCommon
	Value          string   `json:"value"`
	ResolvesToRefs []string `json:"resolves_to_refs,omitzero"`
	Extra          Extra    `json:"-"`
}

// URL is a uniform resource locator (section 6.16).
type URL struct {
	SCOCommon
	Value string `json:"value"`
	Extra Extra  `json:"-"`
}

// EmailAddr is an e-mail address (section 6.6).
type EmailAddr struct {
	SCOCommon
	Value        string `json:"value"`
	DisplayName  string `json:"display_name,omitzero"`
	BelongsToRef string `json:"belongs_to_ref,omitzero"`
	Extra        Extra  `json:"-"`
}

// File is a file, known here by its hashes (section 6.7).
type File struct {
	SCOCommon
	Hashes             map[string]string `json:"hashes,omitzero"`
	Size               *int64            `json:"size,omitzero"`
	Name               string            `json:"name,omitzero"`
	NameEnc            string            `json:"name_enc,omitzero"`
	MagicNumberHex     string            `json:"magic_number_hex,omitzero"`
	MimeType           string            `json:"mime_type,omitzero"`
	Ctime              Timestamp         `json:"ctime,omitzero"`
	Mtime              Timestamp         `json:"mtime,omitzero"`
	Atime              Timestamp         `json:"atime,omitzero"`
	ParentDirectoryRef string            `json:"parent_directory_ref,omitzero"`
	ContainsRefs       []string          `json:"contains_refs,omitzero"`
	ContentRef         string            `json:"content_ref,omitzero"`
	Extra              Extra             `json:"-"`
}

// hashPreference is the order in which one hash contributes to a file's id (section
// 6.7.2: "MD5, SHA-1, SHA-256, SHA-512", first present).
var hashPreference = []string{"MD5", "SHA-1", "SHA-256", "SHA-512"}

// newValueSCO builds the common part of a value-keyed observable with its deterministic
// id (ID-contributing property: value).
func newValueSCO(typ, value string) SCOCommon {
	return SCOCommon{Type: typ, SpecVersion: SpecVersion, ID: SCOID(typ, map[string]any{"value": value})}
}

// NewIPv4 returns the ipv4-addr observable of value.
func NewIPv4(value string) *IPv4Addr {
	return &IPv4Addr{SCOCommon: newValueSCO("ipv4-addr", value), Value: value}
}

// NewIPv6 returns the ipv6-addr observable of value.
func NewIPv6(value string) *IPv6Addr {
	return &IPv6Addr{SCOCommon: newValueSCO("ipv6-addr", value), Value: value}
}

// NewDomain returns the domain-name observable of value.
func NewDomain(value string) *DomainName {
	return &DomainName{SCOCommon: newValueSCO("domain-name", value), Value: value}
}

// NewURL returns the url observable of value.
func NewURL(value string) *URL { return &URL{SCOCommon: newValueSCO("url", value), Value: value} }

// NewEmail returns the email-addr observable of value.
func NewEmail(value string) *EmailAddr {
	return &EmailAddr{SCOCommon: newValueSCO("email-addr", value), Value: value}
}

// NewFile returns the file observable known by hashes; its id is derived from the first
// of MD5, SHA-1, SHA-256, SHA-512 present (and the name when given).
func NewFile(hashes map[string]string, name string) *File {
	props := map[string]any{}
	for _, h := range hashPreference {
		if v, ok := hashes[h]; ok {
			props["hashes"] = map[string]string{h: v}
			break
		}
	}
	if name != "" {
		props["name"] = name
	}
	return &File{SCOCommon: SCOCommon{Type: "file", SpecVersion: SpecVersion, ID: SCOID("file", props)}, Hashes: hashes, Name: name}
}
