package data

// Held is what the organisation holds, worked out from its data assets: the numbers the
// catalog's personal-information and important-data duties read (org.pi_subjects,
// org.sensitive_pi_subjects, org.has_important_data, org.has_core_data), which the scope
// profile used to take typed in.
//
// People are counted as the largest single asset, not the sum: the same person is usually
// in several assets (a customer's account, bills and service tickets), so a sum would count
// them again and again, while the largest asset is a number the records prove. This is the
// definition the routing already uses for the 2022 Measures' "handler of 1,000,000 people"
// (State.HeldPI), so the export route and the catalog read the same number. It is a lower
// bound; an organisation that knows its distinct head-count can still record it as an asset
// covering everyone (a customer master, say).
type Held struct {
	// Assets is the number of asset records; with none, nothing is derived and the
	// profile's typed-in values stand.
	Assets int64
	// PISubjects: the most people in one asset holding personal information (sensitive or not).
	PISubjects int64
	// SensitivePISubjects: the most people in one asset holding sensitive personal information.
	// An asset has one head-count, so this is an upper bound when the asset also holds
	// ordinary personal information (splitting the asset makes it exact).
	SensitivePISubjects int64
	// ImportantData: an asset is important or core data (as Asset.Important and the routing
	// treat it: core data is under the stricter regime of DSL 2021 Art. 21, not a lesser one).
	ImportantData bool
	// CoreData: an asset is core data.
	CoreData bool
}

// HeldFrom works out Held from the assets.
func HeldFrom(assets []Asset) Held {
	var h Held
	for i := range assets {
		a := &assets[i]
		h.Assets++
		if a.PI() {
			h.PISubjects = max(h.PISubjects, a.People)
		}
		if a.Has("sensitive_pi") {
			h.SensitivePISubjects = max(h.SensitivePISubjects, a.People)
		}
		h.ImportantData = h.ImportantData || a.Important()
		h.CoreData = h.CoreData || a.Has("core")
	}
	return h
}

// Derived says the records decide: at least one asset is recorded.
func (h Held) Derived() bool { return h.Assets > 0 }
