DROP TABLE privacy_choices;
