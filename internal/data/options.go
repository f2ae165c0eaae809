package data

// Opt returns the option of code in the named list (categories, kinds, levels, bases,
// roles, frequencies, mechanisms, results, deletion_methods) for the templates; Code is "" when unknown.
func Opt(list, code string) Option {
	var opts []Option
	switch list {
	case "categories":
		opts = Categories
	case "kinds":
		opts = SensitiveKinds
	case "levels":
		opts = Levels
	case "bases":
		opts = LegalBases
	case "roles":
		opts = RecipientRoles
	case "frequencies":
		opts = Frequencies
	case "mechanisms":
		opts = MechanismKinds
	case "results":
		opts = Results
	case "deletion_methods":
		opts = DeletionMethods
	}
	o, _ := optionOf(opts, code)
	return o
}

// Opt is the package's Opt, for the overview template.
func (*overview) Opt(list, code string) Option { return Opt(list, code) }

// Opt is the package's Opt, for the transfer template.
func (*transferPage) Opt(list, code string) Option { return Opt(list, code) }

// Has says whether the list holds code (a form's checked boxes).
func Has(list []string, code string) bool {
	for _, c := range list {
		if c == code {
			return true
		}
	}
	return false
}

// HasID says whether the list holds id.
func HasID(list []int64, id int64) bool {
	for _, c := range list {
		if c == id {
			return true
		}
	}
	return false
}

// Checked is Has for the overview template.
func (*overview) Checked(list []string, code string) bool { return Has(list, code) }

// CheckedID is HasID for the overview template.
func (*overview) CheckedID(list []int64, id int64) bool { return HasID(list, id) }
