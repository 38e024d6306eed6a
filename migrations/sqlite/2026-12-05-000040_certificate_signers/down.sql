DROP TABLE certificate_signers;
