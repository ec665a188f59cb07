from django import forms

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class PupilImportForm(forms.Form):
    file = forms.FileField(
        label="Pupil export (CSV)",
        help_text="A CSV export from your school information system. See the column guide below.",
        error_messages={
            "required": "Select a CSV file to import",
            "empty": "The selected file is empty",
        },
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )
    mark_leavers = forms.BooleanField(
        label="Mark pupils missing from this file as having left the school",
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 5 MB")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV")
        return upload
