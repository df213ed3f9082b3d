"""The respondent's side: signed links, the public survey page and the stored responses."""
