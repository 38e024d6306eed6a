DROP TABLE village_links;
