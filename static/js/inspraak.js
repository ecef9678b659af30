// Inspraak needs no JavaScript to work; scripts here only improve pages.
