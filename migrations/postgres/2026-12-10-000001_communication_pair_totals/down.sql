DROP TABLE communication_pair_totals;
