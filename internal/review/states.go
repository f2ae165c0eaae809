package review

// State is where a review case stands, in the terms of the Cybersecurity Review Measures.
type State string

// The states of a case (CSR 2022 Arts. 5–15).
const (
	Preparing   State = "preparing"         // application being put together (Art. 8 materials)
	Submitted   State = "submitted"         // materials received: the office decides whether to review (Art. 9)
	NotRequired State = "not_required"      // the office decided no review is needed
	Initial     State = "initial_review"    // initial review and recommendation (Art. 11)
	Opinions    State = "members_opinions"  // member units and protection departments reply (Art. 12)
	Special     State = "special_procedure" // opinions differed: the special procedure (Arts. 12–14)
	Cleared     State = "cleared"           // the review found no effect on national security
	NotCleared  State = "not_cleared"       // it affects national security: may not be used / may not list
	Revoked     State = "revoked"           // a clearance withdrawn because new facts arose (Art. 16)
)

// States lists every state in the order of the procedure.
var States = []State{Preparing, Submitted, NotRequired, Initial, Opinions, Special, Cleared, NotCleared, Revoked}

// next are the moves the Measures allow from each state.
var next = map[State][]State{
	Preparing: {Submitted},
	Submitted: {NotRequired, Initial},
	Initial:   {Opinions},
	Opinions:  {Cleared, NotCleared, Special},
	Special:   {Cleared, NotCleared},
	Cleared:   {Revoked},
	Revoked:   {Preparing},
}

// Next lists the states a case may move to from s.
func (s State) Next() []State { return next[s] }

// CanMove says whether a case in s may move to t.
func (s State) CanMove(t State) bool {
	for _, x := range next[s] {
		if x == t {
			return true
		}
	}
	return false
}

// Valid says s is a known state.
func (s State) Valid() bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// Passes says the outcome lets the purchase go ahead (or the listing proceed): the office
// found no review necessary, or the review cleared it.
func (s State) Passes() bool { return s == NotRequired || s == Cleared }

// Outcome says the case has reached an outcome (whatever it is).
func (s State) Outcome() bool {
	return s == NotRequired || s == Cleared || s == NotCleared || s == Revoked
}

// Zh is the state's name in Chinese.
func (s State) Zh() string {
	return map[State]string{Preparing: "准备申报材料", Submitted: "已申报，待确定是否审查", NotRequired: "无需审查", Initial: "初步审查",
		Opinions: "征求成员单位意见", Special: "特别审查程序", Cleared: "审查通过", NotCleared: "审查未通过", Revoked: "通过已撤销"}[s]
}

// En is the state's name in English.
func (s State) En() string {
	return map[State]string{Preparing: "application being prepared", Submitted: "submitted, awaiting the decision whether to review", NotRequired: "review not required",
		Initial: "initial review", Opinions: "members' opinions", Special: "special procedure", Cleared: "cleared", NotCleared: "not cleared", Revoked: "clearance revoked"}[s]
}
