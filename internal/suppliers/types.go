package suppliers

// ProductType is a kind of network product or service, named in both languages.
type ProductType struct {
	Code, Zh, En string
	// NeedsCert marks the kinds that must be certified or tested before sale and use:
	// critical network equipment and dedicated security products (CSL 2016 Art. 23, 2025
	// Art. 25; CIIR draft 2017 Art. 30).
	NeedsCert bool
	// PreUse marks software built by an outside party, which is assessed before it goes into
	// use (CIIR draft 2017 Art. 32; donated products are flagged on the product).
	PreUse bool
}

// ProductTypes are the kinds a product may have, in the order the forms list them.
var ProductTypes = []ProductType{
	{Code: "critical_network_equipment", Zh: "网络关键设备", En: "Critical network equipment", NeedsCert: true},
	{Code: "security_product", Zh: "网络安全专用产品", En: "Dedicated network security product", NeedsCert: true},
	{Code: "software", Zh: "软件", En: "Software"},
	{Code: "cloud", Zh: "云计算服务", En: "Cloud service"},
	{Code: "maintenance", Zh: "运维服务", En: "Maintenance and operations service"},
	{Code: "outsourced_development", Zh: "外包开发", En: "Outsourced development", PreUse: true},
	{Code: "other", Zh: "其他", En: "Other"},
}

// TypeOf returns the product type of code; its Code is "" when there is none.
func TypeOf(code string) ProductType {
	for _, t := range ProductTypes {
		if t.Code == code {
			return t
		}
	}
	return ProductType{}
}

// typeCodes lists the codes for error messages.
func typeCodes() string {
	s := ""
	for i, t := range ProductTypes {
		if i > 0 {
			s += ", "
		}
		s += t.Code
	}
	return s
}
