DROP TABLE communication_totals;
