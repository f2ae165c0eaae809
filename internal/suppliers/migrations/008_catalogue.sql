-- a product's category of the catalogue of critical network equipment and dedicated network security products, and its figures for an equipment entry's range (JSON object, metric → number); '' for products registered before the catalogue, which keep the duty their kind gave them
ALTER TABLE supplier_products ADD COLUMN catalogue_category TEXT NOT NULL DEFAULT '';
ALTER TABLE supplier_products ADD COLUMN catalogue_specs TEXT NOT NULL DEFAULT '{}';
