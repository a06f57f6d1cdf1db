using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Certification.Api.Infrastructure.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TentativeTwoStepNumbers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CertifiedCopies_BookId_Number",
                table: "CertifiedCopies");

            migrationBuilder.CreateIndex(
                name: "IX_CertifiedCopies_BookId_Number",
                table: "CertifiedCopies",
                columns: new[] { "BookId", "Number" },
                unique: true,
                filter: "\"Status\" <> 'AwaitingSignature'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CertifiedCopies_BookId_Number",
                table: "CertifiedCopies");

            migrationBuilder.CreateIndex(
                name: "IX_CertifiedCopies_BookId_Number",
                table: "CertifiedCopies",
                columns: new[] { "BookId", "Number" },
                unique: true);
        }
    }
}
